package io.taskscratch.mutex;

import io.taskscratch.platform.PlatformTask;

/** {@link OwnerStateSource#none()}: knows nothing about any owner. (A class, not an enum: {@code Enum.name()} is final.) */
final class NoOwnerState implements OwnerStateSource {
    static final NoOwnerState INSTANCE = new NoOwnerState();

    private NoOwnerState() {
    }

    @Override
    public OwnerState ownerState(PlatformTask owner) {
        return OwnerState.UNKNOWN;
    }

    @Override
    public boolean informative() {
        return false;
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public String toString() {
        return "none";
    }
}
