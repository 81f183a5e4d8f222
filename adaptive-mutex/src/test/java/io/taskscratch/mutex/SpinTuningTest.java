package io.taskscratch.mutex;

import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spin policy derived from the wake-up cost, and the one-time measurement. */
class SpinTuningTest {

    @Test
    void theBoundsFollowTheWakeupCost() {
        SpinTuning t = SpinTuning.forWakeupCost(35_000);
        assertEquals(35_000, t.unknownSpinNanos(), "UNKNOWN: spin for one wake-up");
        assertEquals(70_000, t.runningSpinNanos(), "RUNNING: two");
        assertEquals(1, t.handoffAfterFailures(), "hand-off after the first lost wake-up");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), t.handoffAfterNanos());
        assertEquals(8, t.clockEveryPolls());
        assertTrue(t.recheckNotRunning());
        assertEquals(1, SpinTuning.DEFAULT.clockEveryPolls(), "the model keeps reading the clock every poll");
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> new SpinTuning(1, 1, 1, 1, 3, false));
        assertTrue(odd.getMessage().contains("power of two"), odd.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpinTuning.forWakeupCost(0));
        assertTrue(e.getMessage().contains("wakeupNanos 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpinTuning.forWakeupCost(TimeUnit.SECONDS.toNanos(2)));
    }

    @Test
    void theMeasurementIsTakenOnceWithinTheClampAndIsTheNativeDefault() {
        SpinTuning m = SpinTuning.measured();
        assertSame(m, SpinTuning.measured(), "measured once per JVM");
        assertTrue(m.unknownSpinNanos() >= WakeupCost.MIN_NANOS && m.unknownSpinNanos() <= WakeupCost.MAX_NANOS, m.toString());
        assertEquals(SpinTuning.forWakeupCost(WakeupCost.NANOS), m);
        assertSame(m, AdaptiveMutex.builder(NativePlatform.instance()).build().tuning());
        SpinTuning mine = new SpinTuning(1, 2, 3, 4);
        assertSame(mine, AdaptiveMutex.builder(NativePlatform.instance()).tuning(mine).build().tuning());
    }
}
