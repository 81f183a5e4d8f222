package io.taskscratch.rcu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Publish, replace and compare-and-replace of {@link RcuPointer} (ordering is covered by jcstress). */
class RcuPointerTest {
    @Test
    void publishReplaceAndCompare() {
        Object a = new Object();
        Object b = new Object();
        RcuPointer<Object> p = new RcuPointer<>(null);
        assertNull(p.get());
        p.publish(a);
        assertSame(a, p.get());
        assertSame(a, p.replace(b));
        assertSame(b, p.get());
        assertFalse(p.compareAndReplace(a, null), "a is no longer published");
        assertSame(b, p.get());
        assertTrue(p.compareAndReplace(b, a));
        assertSame(a, p.get());
    }
}
