package io.taskscratch.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.task.TaskHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Attach and detach while events fire from several threads (rcutorture-style): no hook is lost,
 * no hook runs after close() plus a grace period, and no reader ever finds its array freed
 * (poison). A registry whose retirer frees at once is the negative control.
 */
class HookChurnTest {
    private static final int FIRERS = 2;

    /** What a churn run observed. */
    record Outcome(long fires, long permanentRuns, long lateCalls, long poisoned, long lostHooks) {
    }

    /** A churned hook: counts runs and notices being called after it was declared dead. */
    private static final class Churned implements HookProgram {
        final String name;
        final LongAdder runs = new LongAdder();
        final AtomicLong late;
        volatile boolean dead;

        Churned(String name, AtomicLong late) {
            this.name = name;
            this.late = late;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void run(HookContext ctx) {
            if (dead) {
                late.incrementAndGet();
            }
            runs.increment();
            for (int i = 0; i < 50; i++) {
                Thread.onSpinWait(); // widen the window in which a swap can overlap this reader
            }
            if (ctx.hook().sleepable() && (ctx.nowNs() & 63) == 0) {
                ctx.sleep(1_000);
            }
        }
    }

    private static Outcome churn(HookWorld w, int rounds, boolean stopAtFirstPoison) throws InterruptedException {
        TaskHandle a = TaskHandle.simulated("a");
        TaskHandle b = TaskHandle.simulated("b");
        LongAdder permanentRuns = new LongAdder();
        w.tps.attach(Tracepoint.SCHED_SWITCH, HookProgram.of("permanent", ctx -> permanentRuns.increment()), false);
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder fires = new LongAdder();
        AtomicLong poisoned = new AtomicLong();
        List<Thread> firers = new ArrayList<>();
        for (int t = 0; t < FIRERS; t++) {
            int cpu = t;
            firers.add(Thread.ofPlatform().name("firer-" + t).start(() -> {
                for (long n = 0; !stop.get(); n++) {
                    try {
                        w.tps.fireSchedSwitch(a, b, cpu, false, n);
                    } catch (IllegalStateException poison) {
                        poisoned.incrementAndGet();
                    }
                    fires.increment();
                }
            }));
        }
        AtomicLong late = new AtomicLong();
        long lost = 0;
        try {
            for (int r = 0; r < rounds && !(stopAtFirstPoison && poisoned.get() > 0); r++) {
                Churned h = new Churned("churn-" + r, late);
                HookLink l = w.tps.attach(Tracepoint.SCHED_SWITCH, h, r % 4 == 3);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (h.runs.sum() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // events fired after attach returned must reach the hook
                }
                lost += h.runs.sum() == 0 ? 1 : 0;
                l.close();
                if (!stopAtFirstPoison) {
                    w.tps.synchronize();
                    h.dead = true; // from now on any call is a call after close + grace period
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : firers) {
                t.join();
            }
        }
        return new Outcome(fires.sum(), permanentRuns.sum(), late.get(), poisoned.get(), lost);
    }

    @Test
    void attachDetachWhileFiringLosesNothingAndFreesNothingEarly() throws InterruptedException {
        try (HookWorld w = new HookWorld("churn")) {
            Outcome o = churn(w, 200, false);
            assertEquals(0, o.poisoned(), () -> "a reader found its hook array freed: " + o);
            assertEquals(0, o.lateCalls(), () -> "a hook ran after close() + synchronize(): " + o);
            assertEquals(0, o.lostHooks(), () -> "an attached hook never ran: " + o);
            assertEquals(o.fires(), o.permanentRuns(), () -> "the permanent hook missed events: " + o);
            assertTrue(o.fires() > 0);
            assertTrue(w.failures.isEmpty(), w.failures::toString);
        }
    }

    @Test
    void negativeControlFreeingWithoutAGracePeriodIsCaughtByThePoisonCheck() throws InterruptedException {
        try (HookWorld w = new HookWorld("broken", (grace, free) -> free.run())) {
            Outcome o = churn(w, 200_000, true);
            assertTrue(o.poisoned() > 0, () -> "the poison check should catch an array freed under a reader: " + o);
        }
    }
}
