package io.taskscratch.region;

import io.taskscratch.internal.os.Libc;
import java.lang.foreign.MemorySegment;

/**
 * Locks pages into RAM. The default is the real {@code mlock(2)}; tests inject one that fails
 * to check the error a caller gets when pinning is refused.
 */
public interface MemoryLocker {
    /**
     * Locks the page-aligned segment.
     *
     * @return 0 on success, else the {@code errno} ({@code ENOMEM}, {@code EPERM}, {@code EAGAIN})
     */
    int lock(MemorySegment pages);

    /**
     * Unlocks the page-aligned segment.
     *
     * @return 0 on success, else the {@code errno}
     */
    int unlock(MemorySegment pages);

    /** The real {@code mlock(2)}/{@code munlock(2)}. */
    static MemoryLocker system() {
        return SystemLocker.INSTANCE;
    }

    /** {@link MemoryLocker#system()}. */
    enum SystemLocker implements MemoryLocker {
        /** The only instance. */
        INSTANCE;

        @Override
        public int lock(MemorySegment pages) {
            return Libc.mlock(pages);
        }

        @Override
        public int unlock(MemorySegment pages) {
            return Libc.munlock(pages);
        }
    }
}
