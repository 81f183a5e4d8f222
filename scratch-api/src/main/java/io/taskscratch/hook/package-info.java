/**
 * Hook programs at scheduler tracepoints: {@link io.taskscratch.hook.TracepointRegistry}
 * (attach, detach, fire), {@link io.taskscratch.hook.HookProgram} and its
 * {@link io.taskscratch.hook.HookContext} with verifier-style checks, and the map-access barrier
 * {@link io.taskscratch.hook.MapAccessBarrier}.
 *
 * <p>See {@code docs/hooks.md} for a guide.
 */
package io.taskscratch.hook;
