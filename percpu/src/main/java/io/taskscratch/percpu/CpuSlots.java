package io.taskscratch.percpu;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;

/** CPU id to slot index, shared by the per-CPU structures. */
final class CpuSlots {
    /** Most slots a per-CPU structure may have (Linux's default {@code NR_CPUS} on x86-64). */
    static final int MAX_SLOTS = 8192;

    private CpuSlots() {
    }

    /**
     * The slot for {@code cpu}: the CPU itself when it is in range (the common case, no division),
     * else its floor modulus. CPU numbers can reach past the slot count when the process is bound
     * to high-numbered CPUs; negative "unknown" answers land on a valid slot too.
     */
    static int slotOf(int cpu, int slots) {
        return cpu >= 0 && cpu < slots ? cpu : Math.floorMod(cpu, slots);
    }

    /** Checks a slot count given by a caller; {@code what} names the argument in the message. */
    static int checkSlots(String what, int slots) {
        if (slots < 1 || slots > MAX_SLOTS) {
            throw new ScratchException(Errno.EINVAL, what + " " + slots + ": must be in [1, " + MAX_SLOTS + "]");
        }
        return slots;
    }
}
