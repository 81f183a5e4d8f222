package io.taskscratch.map;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.region.UptrTarget;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A map element as a program sees it ({@link TaskStorageMap#taskStorageGet}): the value bytes,
 * readable and writable within the value size, and the uptr targets, readable only. Use it
 * inside a read-side section: after a replace or delete the element stays valid (and its
 * memory pinned) until the grace period ends.
 */
public final class StorageElement {
    private final TaskStorageMap map;
    private volatile String task; // set once under the map lock before the element is published; volatile for toString
    private final byte[] data;
    private final UptrTarget[] uptrs;

    StorageElement(TaskStorageMap map, String task, byte[] data, UptrTarget[] uptrs) {
        this.map = map;
        this.task = task;
        this.data = data;
        this.uptrs = uptrs;
    }

    /** Names the element's task once the update has resolved its key (before publication). */
    void bindTask(String taskName) {
        this.task = taskName;
    }

    /** The map holding the element. */
    public TaskStorageMap map() {
        return map;
    }

    /**
     * The target of a uptr field, {@code null} if the field is NULL (programs must null-check).
     *
     * @throws IllegalArgumentException if there is no such uptr field, or it is plain data (misaligned or
     *                                  overlapping, see {@link ValueType})
     */
    public UptrTarget uptr(String field) {
        return uptrs[map.spec().value().indexOf(field, ValueType.FieldKind.UPTR)];
    }

    UptrTarget uptrAt(int fieldIndex) {
        return uptrs[fieldIndex];
    }

    /** Reads 4 value bytes at {@code offset} (native byte order). */
    public synchronized int getInt(int offset) {
        checkBounds(offset, 4);
        return MemorySegment.ofArray(data).get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }

    /**
     * Writes 4 value bytes at {@code offset}.
     *
     * @throws ScratchException EINVAL when the store overlaps a uptr field: only user space may set
     *                          a uptr (the verifier rejects such a program at load time)
     */
    public synchronized void putInt(int offset, int value) {
        checkBounds(offset, 4);
        ValueType.Field f = map.spec().value().uptrOverlapping(offset, 4);
        if (f != null) {
            throw new ScratchException(Errno.EINVAL, "program store at value offset " + offset + " hits uptr field \""
                    + f.name() + "\": only user space may set a uptr");
        }
        MemorySegment.ofArray(data).set(ValueLayout.JAVA_INT_UNALIGNED, offset, value);
    }

    private void checkBounds(int offset, int width) {
        if (offset < 0 || offset > data.length - width) {
            throw new IndexOutOfBoundsException("value offset " + offset + " + " + width + " is outside the "
                    + data.length + "-byte value of map \"" + map.name() + "\"");
        }
    }

    synchronized byte[] copyData() {
        return data.clone();
    }

    synchronized void overwriteData(byte[] bytes) {
        System.arraycopy(bytes, 0, data, 0, data.length);
    }

    @Override
    public String toString() {
        return "StorageElement[map \"" + map.name() + "\", task " + task + "]";
    }
}
