package io.taskscratch.map;

/** BPF map types a {@link MapSpec} can name; only {@link #TASK_STORAGE} can be created here. */
public enum MapType {
    /** {@code BPF_MAP_TYPE_TASK_STORAGE}: the only type that accepts uptr fields. */
    TASK_STORAGE,
    /** {@code BPF_MAP_TYPE_HASH}. */
    HASH,
    /** {@code BPF_MAP_TYPE_ARRAY}. */
    ARRAY,
    /** {@code BPF_MAP_TYPE_SK_STORAGE}. */
    SK_STORAGE,
    /** {@code BPF_MAP_TYPE_INODE_STORAGE}. */
    INODE_STORAGE,
    /** {@code BPF_MAP_TYPE_CGRP_STORAGE}. */
    CGRP_STORAGE
}
