package io.taskscratch.platform;

/**
 * A schedulable task as a {@link Platform} sees it: a Java platform thread on the native
 * platform, a simulated task in the scheduler model. Identity is object identity.
 */
public interface PlatformTask {
    /** A stable, human-readable name for reports and error messages. */
    String name();

    /** A stable id, unique among the live tasks of one platform (the OS tid natively). */
    long id();
}
