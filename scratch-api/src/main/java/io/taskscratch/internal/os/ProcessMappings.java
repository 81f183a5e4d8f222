package io.taskscratch.internal.os;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The protection of this process's memory at an address, read from {@code /proc/self/maps}
 * without touching the memory: what the kernel's {@code pin_user_pages_fast(FOLL_WRITE)} would
 * find (no mapping, or a mapping without write permission, is EFAULT there).
 */
public final class ProcessMappings {
    /** {@link #protectionAt} result for an address no mapping covers. */
    public static final int NOT_MAPPED = -1;
    /** Protection bit: the mapping is readable. */
    public static final int READ = 1;
    /** Protection bit: the mapping is writable. */
    public static final int WRITE = 2;
    /** Protection bit: the mapping is executable. */
    public static final int EXEC = 4;

    private static final Path MAPS = Path.of("/proc/self/maps");

    private ProcessMappings() {
    }

    /**
     * The protection of the mapping that covers {@code address} (unsigned), as {@link #READ} |
     * {@link #WRITE} | {@link #EXEC} bits (0 for {@code PROT_NONE}), or {@link #NOT_MAPPED}.
     * Also {@link #NOT_MAPPED} when {@code /proc/self/maps} cannot be read: nothing is known to be
     * mapped then.
     */
    public static int protectionAt(long address) {
        try (BufferedReader in = Files.newBufferedReader(MAPS)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ', dash);
                long start = Long.parseUnsignedLong(line, 0, dash, 16);
                long end = Long.parseUnsignedLong(line, dash + 1, space, 16);
                if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                    return (line.charAt(space + 1) == 'r' ? READ : 0)
                            | (line.charAt(space + 2) == 'w' ? WRITE : 0)
                            | (line.charAt(space + 3) == 'x' ? EXEC : 0);
                }
            }
        } catch (IOException e) {
            return NOT_MAPPED;
        }
        return NOT_MAPPED;
    }
}
