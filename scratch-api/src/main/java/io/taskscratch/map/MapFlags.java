package io.taskscratch.map;

/** The kernel's flag values for map creation, element update and {@code bpf_task_storage_get}. */
public final class MapFlags {
    /** {@code BPF_F_NO_PREALLOC}: required for local-storage maps. */
    public static final long NO_PREALLOC = 1L;
    /** {@code BPF_F_CLONE}: the only other creation flag local storage accepts. */
    public static final long CLONE = 1L << 9;
    /** {@code BPF_ANY}: create or replace. */
    public static final long ANY = 0;
    /** {@code BPF_NOEXIST}: create only. */
    public static final long NOEXIST = 1;
    /** {@code BPF_EXIST}: replace only. */
    public static final long EXIST = 2;
    /** {@code BPF_F_LOCK}: copy the value under the element's spin lock. */
    public static final long F_LOCK = 4;
    /** {@code BPF_LOCAL_STORAGE_GET_F_CREATE}: {@code taskStorageGet} creates a missing element. */
    public static final long F_CREATE = 1;
    /**
     * Largest value size: {@code BPF_LOCAL_STORAGE_MAX_VALUE_SIZE} on x86-64, U16_MAX minus the
     * 128-byte {@code struct bpf_local_storage_elem}.
     */
    public static final int MAX_VALUE_SIZE = 65_535 - 128;

    private MapFlags() {
    }
}
