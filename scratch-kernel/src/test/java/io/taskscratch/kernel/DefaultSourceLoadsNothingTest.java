package io.taskscratch.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.taskscratch.mutex.AdaptiveMutex;
import io.taskscratch.mutex.OwnerStateSource;
import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mutex built with the default source loads nothing of the kernel backend, even when contended,
 * with the backend's classes on the class path: in a fresh JVM, no class of this package is loaded
 * (so no BPF program can have been loaded or attached) and nothing is printed (no libbpf output).
 * The control run opts in to {@link KernelOwnerState#shared()} and must load the backend's
 * classes, so the class-load check can fail.
 */
class DefaultSourceLoadsNothingTest {

    @Test
    void aContendedMutexWithTheDefaultSourceLoadsNoKernelClassAndPrintsNothing(@TempDir Path dir) throws Exception {
        Run run = runChild(dir, "default");
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.isEmpty(), "no libbpf (or any) output: " + run.output);
        assertTrue(run.kernelClasses.isEmpty(), "kernel backend classes loaded: " + run.kernelClasses);
    }

    @Test
    void controlTheOptInLoadsTheKernelBackend(@TempDir Path dir) throws Exception {
        Run run = runChild(dir, "shared");
        assertEquals(0, run.exit, run.output);
        assertTrue(run.kernelClasses.contains("io.taskscratch.kernel.SharedKernelState"), "the opt-in is seen: " + run.kernelClasses);
        assertTrue(run.kernelClasses.contains("io.taskscratch.kernel.KernelBackend"), "its probe opens the backend: " + run.kernelClasses);
    }

    private record Run(int exit, String output, List<String> kernelClasses) {
    }

    /** Runs {@link Child} in a fresh JVM with class loading logged to a file. */
    private static Run runChild(Path dir, String source) throws IOException, InterruptedException {
        Path log = dir.resolve("classes.log");
        Path out = dir.resolve("out.txt");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), source)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        List<String> kernel = Files.readAllLines(log).stream()
                .map(l -> l.replaceAll(".*\\] ([^ ]+) source:.*", "$1"))
                // this test's own classes (Child and its nest host) do not count
                .filter(c -> c.startsWith("io.taskscratch.kernel.") && !c.startsWith(DefaultSourceLoadsNothingTest.class.getName()))
                .collect(Collectors.toList());
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), kernel);
    }

    /** The child JVM: builds a mutex ({@code default} or {@code shared} source) and contends it. */
    static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            AdaptiveMutex.Builder b = AdaptiveMutex.builder(NativePlatform.instance());
            AdaptiveMutex m = args[0].equals("shared") ? b.stateSource(KernelOwnerState.shared()).build() : b.build();
            assertEquals(40_000, Workers.contendFromTheStart(m, 2, 20_000));
            assertFalse(m.isLocked());
            if (m.stateSource() != OwnerStateSource.none() && args[0].equals("default")) {
                throw new AssertionError("default source is " + m.stateSource());
            }
            if (args[0].equals("shared")) {
                KernelOwnerState.shared().availability(); // let the probe finish before exiting
            }
        }
    }
}
