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
 * Negative control for {@link HookDetachTest}: the detacher trusts {@code HookLink.close()} alone
 * (which does not wait, docs/hooks.md) and skips {@code synchronize()}; an event that loaded the
 * old hook array still runs the hook afterwards.
 */
@JCStressTest
@Outcome(id = {"0, 0, 0", "1, 0, 0"}, expect = ACCEPTABLE, desc = "the event missed the hook or ran it before it was gone")
@Outcome(expect = FORBIDDEN, desc = "hook ran after close() + synchronize(), or a freed hook array was used")
@State
public class BrokenHookDetachTest {
    private final ProbeHook hook = new ProbeHook();

    /** Fires sched_switch. */
    @Actor
    public void fire(III_Result r) {
        ProbeHook.fire(r);
    }

    /** Attaches the hook, closes its link and declares it gone at once. */
    @Actor
    public void detach() {
        hook.attachDetach(() -> { });
    }

    /** Reads what the hook recorded. */
    @Arbiter
    public void check(III_Result r) {
        hook.result(r);
    }
}
