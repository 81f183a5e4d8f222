package io.taskscratch.mutex;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HeapHeldLocks} against a model: a list of all pushed entries, in order. */
class HeapHeldLocksTest {
    @Test
    void lifoPushAndRemove() {
        HeapHeldLocks t = new HeapHeldLocks();
        Object a = "a";
        Object b = "b";
        t.push(a);
        t.push(b);
        assertEquals(2, t.count());
        assertSame(b, t.entry(1));
        t.remove(b);
        assertNull(t.entry(1));
        t.remove(a);
        assertEquals(0, t.count());
        assertThrows(IllegalStateException.class, () -> t.remove(a));
    }

    @Test
    void entriesPastTheCapacityAreCountedButNotShared() {
        HeapHeldLocks t = new HeapHeldLocks();
        Object[] locks = new Object[34];
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
            t.push(locks[i]);
        }
        assertEquals(34, t.count());
        assertNull(t.entry(31));
        assertTrue(t.contains(locks[30], 34));
        assertFalse(t.contains(locks[31], 34));
        for (int i = 33; i >= 0; i--) {
            t.remove(locks[i]);
        }
        assertEquals(0, t.count());
    }

    @Test
    void seededRandomPushRemoveMatchesAModel() {
        Random rnd = new Random(42);
        for (int run = 0; run < 300; run++) {
            HeapHeldLocks t = new HeapHeldLocks();
            List<Object> model = new ArrayList<>();
            for (int step = 0; step < 200; step++) {
                if (model.isEmpty() || (model.size() < 40 && rnd.nextInt(3) > 0)) {
                    Object l = new Object();
                    t.push(l);
                    model.add(l);
                } else {
                    // mostly LIFO, sometimes out of order
                    int at = rnd.nextInt(4) == 0 ? rnd.nextInt(model.size()) : model.size() - 1;
                    t.remove(model.remove(at));
                }
                assertEquals(model.size(), t.count());
                for (int i = 0; i < HeldLocks.CAPACITY; i++) {
                    Object expected = i < model.size() ? model.get(i) : null;
                    assertSame(expected, t.entry(i), "slot " + i + " at step " + step + " of run " + run);
                }
            }
        }
    }
}
