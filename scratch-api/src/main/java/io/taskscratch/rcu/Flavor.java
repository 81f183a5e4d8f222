package io.taskscratch.rcu;

/**
 * The two kinds of read-side section, after the Linux kernel's RCU flavors. Each flavor has its
 * own grace periods: a {@link Rcu#synchronize(Flavor) synchronize} of one flavor never waits for
 * sections of the other.
 */
public enum Flavor {
    /**
     * Sections of non-sleepable readers ({@code rcu_read_lock}): short, never blocking. Writers
     * wait for them by spinning first, then yielding, then parking.
     */
    NORMAL,
    /**
     * Sections of sleepable readers ({@code rcu_read_lock_trace}): they may block, take locks or
     * sleep. Writers wait for them by parking with backoff.
     */
    TASKS_TRACE
}
