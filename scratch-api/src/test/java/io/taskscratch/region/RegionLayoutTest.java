package io.taskscratch.region;

import static io.taskscratch.testing.Errnos.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.Errno;
import io.taskscratch.internal.os.Libc;
import org.junit.jupiter.api.Test;

class RegionLayoutTest {
    @Test
    void defaultLayoutIsOneCacheLine() {
        RegionLayout l = RegionLayout.defaults();
        assertEquals(64, l.regionSize());
        assertEquals(64, l.stride());
        assertEquals(24, l.dynamicBudget());
        assertEquals(Libc.pageSize() / 64, l.regionsPerPage());
    }

    @Test
    void staticKeysGetNaturalAlignmentWithoutRounding() {
        RegionLayout l = RegionLayout.builder().staticKey("flag", 1).staticKey("counter", 4)
                .staticKey("rgb", 3).staticKey("stamp", 8).staticKey("pair", 6).dynamicBudget(0).build();
        assertEquals(40, l.key("flag").offset());
        assertEquals(1, l.key("flag").size());
        assertEquals(44, l.key("counter").offset());
        assertEquals(48, l.key("rgb").offset());
        assertEquals(2, l.key("rgb").alignment());
        assertEquals(56, l.key("stamp").offset());
        assertEquals(64, l.key("pair").offset());
        assertEquals(4, l.key("pair").alignment());
        assertEquals(72, l.regionSize());
        assertEquals(128, l.stride());
    }

    @Test
    void dynamicKeysComeFromTheBudgetAndByteKeysAreNotRounded() {
        RegionLayout l = RegionLayout.defaults();
        Key a = l.createKey("a", 1);
        Key b = l.createKey("b", 1);
        Key c = l.createKey("c", 4);
        assertEquals(40, a.offset());
        assertEquals(41, b.offset());
        assertEquals(44, c.offset());
        assertTrue(c.isDynamic());
        assertSame(c, l.key("c"));
        Key d = l.createKey("d", 16);
        assertEquals(48, d.offset());
        assertErrno(Errno.ENOSPC, "\"e\"", () -> l.createKey("e", 1));
        assertEquals(4, l.keys().size());
    }

    @Test
    void keyNameRules() {
        RegionLayout l = RegionLayout.defaults();
        String max = "n".repeat(62);
        l.createKey(max, 1);
        assertErrno(Errno.EINVAL, "n".repeat(63), () -> l.createKey("n".repeat(63), 1));
        assertErrno(Errno.EINVAL, "\"\"", () -> l.createKey("", 1));
        assertErrno(Errno.EEXIST, max, () -> l.createKey(max, 1));
        // multi-byte UTF-8: 31 two-byte chars = 62 bytes ok, 32 = 64 bytes refused
        l.createKey("é".repeat(31), 1);
        assertErrno(Errno.EINVAL, "64 UTF-8 bytes", () -> l.createKey("é".repeat(32), 1));
        assertErrno(Errno.ENOENT, "missing", () -> l.key("missing"));
    }

    @Test
    void sizeRules() {
        RegionLayout l = RegionLayout.defaults();
        assertErrno(Errno.EINVAL, "size 0", () -> l.createKey("zero", 0));
        assertErrno(Errno.E2BIG, "size 25", () -> l.createKey("big", 25));
        int page = (int) Libc.pageSize();
        assertErrno(Errno.E2BIG, "size " + page, () -> RegionLayout.builder().staticKey("huge", page));
        RegionLayout.Builder b = RegionLayout.builder().dynamicBudget(0).staticKey("k", page - 40);
        assertEquals(page, b.build().regionSize(), "ending exactly at the page end is fine");
        assertErrno(Errno.E2BIG, "larger than one page", () -> RegionLayout.builder().staticKey("k", page - 40).build());
        assertErrno(Errno.EINVAL, "dynamic budget -1", () -> RegionLayout.builder().dynamicBudget(-1));
    }

    @Test
    void tableFullAfter63Keys() {
        RegionLayout.Builder b = RegionLayout.builder().dynamicBudget(64);
        for (int i = 0; i < 62; i++) {
            b.staticKey("s" + i, 1);
        }
        RegionLayout l = b.build();
        l.createKey("last", 1);
        assertEquals(63, l.keys().size());
        assertErrno(Errno.ENOSPC, "key table full", () -> l.createKey("one-more", 1));
        RegionLayout.Builder full = RegionLayout.builder();
        for (int i = 0; i < 63; i++) {
            full.staticKey("s" + i, 1);
        }
        assertErrno(Errno.ENOSPC, "\"s63\"", () -> full.staticKey("s63", 1));
        assertErrno(Errno.EEXIST, "\"s0\"", () -> RegionLayout.builder().staticKey("s0", 1).staticKey("s0", 2));
    }
}
