package io.taskscratch.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's output directory, written all or nothing: files go to a staging directory inside it
 * and {@link #commit()} moves them into place, first removing the files of this kind of run
 * ({@link #MODEL_FILES} or {@link #KERNEL_FILES}) that are in the directory and that this run did not
 * write (so no stale chart stays beside fresh results). Closing without a
 * commit removes the staging directory, and the output directory too if this run created it and
 * it is still empty. Other files in the directory are never touched.
 */
final class OutputDir implements AutoCloseable {
    /** The files of a scheduler-model run; an earlier model run's copies are replaced or removed. */
    static final List<String> MODEL_FILES = List.of("results.csv", "results.json", "oversubscription.svg", "drop-rate.svg",
            "timeline.svg");
    /** The files of a {@code --backend kernel} run, which leaves a model run's files alone. */
    static final List<String> KERNEL_FILES = List.of("results-kernel.csv", "results-kernel.json");
    private static final String STAGING_PREFIX = ".taskscratch-demo-";

    private final Path dir;
    private final Path staging;
    private final boolean created;
    private final List<String> owned;
    private final List<String> written = new ArrayList<>();
    private boolean committed;

    private OutputDir(Path dir, Path staging, boolean created, List<String> owned) {
        this.dir = dir;
        this.staging = staging;
        this.created = created;
        this.owned = owned;
    }

    /**
     * Creates the directory if needed and a staging directory inside it, which proves it writable
     * before any run starts.
     *
     * @param dir   the {@code --out} directory
     * @param owned the file names this run may write ({@link #MODEL_FILES} or {@link #KERNEL_FILES})
     * @return the output
     * @throws IllegalArgumentException one line naming the path and why it cannot be used
     */
    static OutputDir open(Path dir, List<String> owned) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IllegalArgumentException("--out " + dir + ": exists and is not a directory");
        }
        boolean created = !Files.exists(abs);
        try {
            Files.createDirectories(abs);
            return new OutputDir(abs, Files.createTempDirectory(abs, STAGING_PREFIX), created, owned);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("--out " + dir + ": " + e.getFile() + " exists and is not a directory");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot create " + e.getFile() + " (no such file or directory)");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot write " + e.getFile() + " (permission denied)");
        } catch (FileSystemException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot write " + e.getFile() + " ("
                    + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()) + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot write there (" + e.getMessage() + ")");
        }
    }

    /** The output directory (absolute). */
    Path dir() {
        return dir;
    }

    /**
     * Writes one file into the staging directory.
     *
     * @param name one of the owned file names
     * @param text the content
     * @return where the file will be after {@link #commit()}
     * @throws IOException if the write fails
     */
    Path write(String name, String text) throws IOException {
        if (!owned.contains(name)) {
            throw new IllegalArgumentException(name + " is not one of this run's files " + owned);
        }
        Files.writeString(staging.resolve(name), text);
        written.add(name);
        return dir.resolve(name);
    }

    /**
     * Moves the written files into place and removes the owned files already in the directory that this run did not write.
     *
     * @throws IOException if a move fails
     */
    void commit() throws IOException {
        for (String name : owned) {
            if (!written.contains(name)) {
                Files.deleteIfExists(dir.resolve(name));
            }
        }
        for (String name : written) {
            Files.move(staging.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.delete(staging);
        committed = true;
    }

    /** Removes what an uncommitted run left: the staging directory, and the output directory if this run created it. */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            try (Stream<Path> files = Files.list(staging)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(staging);
            if (created) {
                try (Stream<Path> left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cleaning up " + staging, e);
        }
    }
}
