package io.taskscratch.mutex;

import io.taskscratch.region.PinMode;
import io.taskscratch.region.RegionAllocator;
import io.taskscratch.region.RegionLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both {@link HeldLocks} tables against one model: a list of all pushed ids, in order. */
class HeldLocksTableTest {
    private static final RegionAllocator REGIONS = RegionAllocator.create(
            RegionHeldLocks.reserve(RegionLayout.builder()).build(), PinMode.UNPINNED);

    /** The implementations under test. */
    enum Kind {
        HEAP(HeapHeldLocks::new),
        REGION(() -> RegionHeldLocks.of(REGIONS.allocate()));

        final Supplier<HeldLocks> factory;

        Kind(Supplier<HeldLocks> factory) {
            this.factory = factory;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void lifoPushAndRemove(Kind kind) {
        HeldLocks t = kind.factory.get();
        t.push(1);
        t.push(2);
        assertEquals(2, t.count());
        assertEquals(2, t.entry(1));
        t.remove(2);
        assertEquals(HeldLocks.EMPTY, t.entry(1));
        t.remove(1);
        assertEquals(0, t.count());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.remove(1));
        assertTrue(e.getMessage().contains("lock #1"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theEmptyIdIsRefused(Kind kind) {
        HeldLocks t = kind.factory.get();
        assertThrows(IllegalArgumentException.class, () -> t.push(HeldLocks.EMPTY));
        assertEquals(0, t.count());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void entriesPastTheCapacityAreCountedButNotShared(Kind kind) {
        HeldLocks t = kind.factory.get();
        for (long id = 1; id <= 34; id++) {
            t.push(id);
        }
        assertEquals(34, t.count());
        assertEquals(HeldLocks.EMPTY, t.entry(31));
        assertTrue(t.contains(31, 34));
        assertFalse(t.contains(32, 34));
        t.remove(5); // out of order: the first overflow entry moves down into the last slot
        assertEquals(33, t.count());
        assertEquals(32, t.entry(HeldLocks.CAPACITY - 1));
        for (long id = 34; id >= 1; id--) {
            if (id != 5) {
                t.remove(id);
            }
        }
        assertEquals(0, t.count());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void seededRandomPushRemoveMatchesAModel(Kind kind) {
        Random rnd = new Random(42);
        long next = 1;
        for (int run = 0; run < 300; run++) {
            HeldLocks t = kind.factory.get();
            List<Long> model = new ArrayList<>();
            for (int step = 0; step < 200; step++) {
                if (model.isEmpty() || (model.size() < 40 && rnd.nextInt(3) > 0)) {
                    t.push(next);
                    model.add(next++);
                } else {
                    // mostly LIFO, sometimes out of order
                    int at = rnd.nextInt(4) == 0 ? rnd.nextInt(model.size()) : model.size() - 1;
                    t.remove(model.remove(at));
                }
                assertEquals(model.size(), t.count());
                for (int i = 0; i < HeldLocks.CAPACITY; i++) {
                    long expected = i < model.size() ? model.get(i) : HeldLocks.EMPTY;
                    assertEquals(expected, t.entry(i), "slot " + i + " at step " + step + " of run " + run);
                }
            }
        }
    }
}
