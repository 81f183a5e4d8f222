package io.taskscratch.mutex;

import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spin policy derived from the wake-up cost, the native default, and the opt-in measurement. */
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
        assertEquals(SpinTuning.MAX_POLL_GAP, t.maxPollGap(), "the lock-word gap grows while the owner barges");
        assertEquals(1, SpinTuning.DEFAULT.clockEveryPolls(), "the model keeps reading the clock every poll");
        assertEquals(1, SpinTuning.DEFAULT.maxPollGap(), "and the lock word every poll");
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> new SpinTuning(1, 1, 1, 1, 3, false, 1));
        assertTrue(odd.getMessage().contains("powers of two") && odd.getMessage().endsWith("3, 1"), odd.getMessage());
        IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> new SpinTuning(1, 1, 1, 1, 1, false, 12));
        assertTrue(gap.getMessage().contains("maxPollGap") && gap.getMessage().endsWith("1, 12"), gap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SpinTuning(1, 1, 1, 1, 1, false, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpinTuning.forWakeupCost(0));
        assertTrue(e.getMessage().contains("wakeupNanos 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpinTuning.forWakeupCost(TimeUnit.SECONDS.toNanos(2)));
    }

    @Test
    void theNativeDefaultIsTheCalibratedConstantAndBuildingMeasuresNothing() {
        assertEquals(SpinTuning.forWakeupCost(SpinTuning.CALIBRATED_WAKEUP_NANOS), SpinTuning.NATIVE);
        assertSame(SpinTuning.NATIVE, AdaptiveMutex.builder(NativePlatform.instance()).build().tuning());
        SpinTuning mine = new SpinTuning(1, 2, 3, 4);
        assertSame(mine, AdaptiveMutex.builder(NativePlatform.instance()).tuning(mine).build().tuning());
    }

    @Test
    void theOptInMeasurementIsTakenOnceWithinTheClamp() {
        SpinTuning m = SpinTuning.measured();
        assertSame(m, SpinTuning.measured(), "measured once per JVM");
        assertTrue(m.unknownSpinNanos() >= WakeupCost.MIN_NANOS && m.unknownSpinNanos() <= WakeupCost.MAX_NANOS, m.toString());
        assertEquals(SpinTuning.forWakeupCost(WakeupCost.NANOS), m);
    }
}
