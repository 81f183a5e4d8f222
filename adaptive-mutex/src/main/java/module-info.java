/**
 * The scheduler-aware adaptive mutex ({@code io.taskscratch.mutex}): a non-reentrant
 * {@link java.util.concurrent.locks.Lock} with conditions, a resilient (rqspinlock) mode and
 * held-locks tables. It needs only taskscratch's API; where owner state comes from is pluggable
 * ({@code OwnerStateSource}), and the default source knows nothing and loads nothing. Kernel-written
 * owner state is an opt-in of the kernel backend module ({@code io.taskscratch.kernel}).
 */
module io.taskscratch.mutex {
    requires transitive io.taskscratch.api;

    exports io.taskscratch.mutex;
    // The wait queue, shared with the demo's baseline locks; not part of the API.
    exports io.taskscratch.mutex.internal to io.taskscratch.demo;
}
