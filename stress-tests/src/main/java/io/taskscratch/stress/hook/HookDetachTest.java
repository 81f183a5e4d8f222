package io.taskscratch.stress.hook;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Attach/detach while events fire: after {@code HookLink.close()} and
 * {@code TracepointRegistry.synchronize()} a hook never runs again, and no firing thread ever
 * sees a retired hook array freed (the registry's poison check).
 *
 * <p>Result: (hook ran, hook ran after close + synchronize, firing thread saw a freed array).
 */
@JCStressTest
@Outcome(id = {"0, 0, 0", "1, 0, 0"}, expect = ACCEPTABLE, desc = "the event missed the hook or ran it before it was gone")
@Outcome(expect = FORBIDDEN, desc = "hook ran after close() + synchronize(), or a freed hook array was used")
@State
public class HookDetachTest {
    private final ProbeHook hook = new ProbeHook();

    /** Fires sched_switch. */
    @Actor
    public void fire(III_Result r) {
        ProbeHook.fire(r);
    }

    /** Attaches the hook, closes its link, synchronizes, declares it gone. */
    @Actor
    public void detach() {
        hook.attachDetach(ProbeHook.REGISTRY::synchronize);
    }

    /** Reads what the hook recorded. */
    @Arbiter
    public void check(III_Result r) {
        hook.result(r);
    }
}
