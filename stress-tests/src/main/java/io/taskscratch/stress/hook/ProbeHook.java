package io.taskscratch.stress.hook;

import io.taskscratch.hook.HookLink;
import io.taskscratch.hook.HookProgram;
import io.taskscratch.hook.Tracepoint;
import io.taskscratch.hook.TracepointRegistry;
import io.taskscratch.platform.NativePlatform;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.stress.rcu.Delay;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * One hook attached and detached while another thread fires {@code sched_switch}. The hook
 * records that it ran and whether it ran after its detacher declared it gone ({@link #gone}).
 * Shared by {@link HookDetachTest} and its broken twin, which differ only in how the detacher
 * waits between {@link HookLink#close()} and declaring the hook gone.
 */
final class ProbeHook {
    /**
     * One registry (and rcu domain) for the whole fork: a registry per state would cost a
     * thread-local context each. The probe breaks no hook rule, so a refusal is a test error.
     */
    static final TracepointRegistry REGISTRY = TracepointRegistry.create("jcstress-hooks",
            Rcu.create("jcstress-hooks"), NativePlatform.instance(), failure -> {
                throw new AssertionError("probe hook refused: " + failure);
            });

    private final HookProgram program = HookProgram.of("probe", ctx -> run());
    /** Written by the firing thread (hooks run on it), read by the arbiter. */
    private int ran;
    private int late;
    /** Set by the detacher once it believes the hook can no longer run. */
    private volatile boolean gone;

    private void run() {
        ran = 1;
        Delay.spin(); // a hook invocation long enough for the detacher to race with it
        if (gone) {
            late = 1;
        }
    }

    /** Firing side: one event; r3 = 1 if the registry's poison check saw a freed hook array. */
    static void fire(III_Result r) {
        try {
            REGISTRY.fireSchedSwitch(null, null, 0, false, 0L);
        } catch (IllegalStateException freedArray) {
            r.r3 = 1;
        }
    }

    /** Detaching side: attach, let events find the hook, close, {@code waitForHooks}, declare the hook gone. */
    void attachDetach(Runnable waitForHooks) {
        HookLink link = REGISTRY.attach(Tracepoint.SCHED_SWITCH, program, false);
        Delay.spin(); // keep the hook attached long enough for an event to load it
        link.close();
        waitForHooks.run();
        gone = true;
    }

    /** r1 = whether the hook ran at all, r2 = whether it ran after it was declared gone. */
    void result(III_Result r) {
        r.r1 = ran;
        r.r2 = late;
    }
}
