package io.taskscratch.hook;

/**
 * A hook the runtime detached because it broke a rule or threw, as reported to a
 * {@link TracepointRegistry}'s failure listener.
 *
 * @param hook  the detached hook
 * @param cause the refusal ({@link io.taskscratch.ScratchException}) or what the hook threw
 */
public record HookFailure(HookLink hook, Throwable cause) {
    @Override
    public String toString() {
        return "detached " + hook + ": " + cause;
    }
}
