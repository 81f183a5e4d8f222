package io.taskscratch.stress.rcu;

import io.taskscratch.rcu.Flavor;
import io.taskscratch.rcu.Rcu;
import io.taskscratch.rcu.RcuPointer;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * rcutorture's retired object: its age goes 0 (live) → 1 (unpublished, grace period pending) →
 * 2 (grace period over, freeable), and freeing poisons its value. A reader that sees age 2 or
 * the poison inside a section has seen memory whose grace period had elapsed.
 *
 * <p>The reader and writer halves are shared by the age tests and their broken twins, which
 * differ only in how the writer waits.
 */
final class AgedNode {
    static final int VALUE = 7;
    static final int POISON = -1;

    int value = VALUE;
    int age;

    private AgedNode() {
    }

    /** A pointer to a fresh live node. */
    static RcuPointer<AgedNode> pointer() {
        return new RcuPointer<>(new AgedNode());
    }

    /** Reader: in a section of {@code f}, follows the pointer and records (value, age). */
    static void read(Rcu rcu, Flavor f, RcuPointer<AgedNode> p, II_Result r) {
        rcu.readLock(f);
        AgedNode n = p.get();
        Delay.spin(); // a section that lasts long enough for a writer to race with it
        int value = n.value;
        int age = n.age;
        rcu.readUnlock(f);
        r.r1 = value;
        r.r2 = age;
    }

    /** Writer: replaces the node, runs {@code waitForReaders}, then ages and poisons the old node. */
    static void retire(RcuPointer<AgedNode> p, Runnable waitForReaders) {
        AgedNode old = p.replace(new AgedNode());
        old.age = 1;
        waitForReaders.run();
        old.age = 2;
        old.value = POISON;
    }
}
