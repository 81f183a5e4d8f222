package io.taskscratch.mutex;

import io.taskscratch.mutex.testing.Workers;
import io.taskscratch.platform.NativePlatform;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Building and contending a mutex with the native default tuning starts no thread besides the
 * caller's own: the default is a constant ({@link SpinTuning#NATIVE}), not a measurement. Run in a
 * fresh JVM, because the opt-in measurement runs once per JVM and another test may have taken it
 * already. The control opts in to {@link SpinTuning#measured()} and must see its one extra thread,
 * so the count can fail.
 */
class DefaultTuningStartsNoThreadTest {
    private static final String STARTED = "threads started: ";

    @Test
    void aContendedMutexWithTheDefaultTuningStartsOnlyTheCallersThreads() throws Exception {
        assertEquals(Child.WORKERS, startedThreads("default"), "only the child's own two workers");
    }

    @Test
    void controlTheOptInMeasurementStartsOneThreadOfItsOwn() throws Exception {
        assertEquals(Child.WORKERS + 1, startedThreads("measured"), "the workers and the wake-up cost sleeper");
    }

    /** Runs {@link Child} in a fresh JVM and returns how many threads it saw started. */
    private static long startedThreads(String tuning) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(), tuning)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        assertEquals(0, p.exitValue(), out);
        int at = out.lastIndexOf(STARTED);
        assertTrue(at >= 0, out);
        return Long.parseLong(out.substring(at + STARTED.length()).trim());
    }

    /** The child JVM: builds a mutex ({@code default} or {@code measured} tuning) and contends it from two threads. */
    static final class Child {
        static final int WORKERS = 2;
        static final int ROUNDS = 20_000;

        private Child() {
        }

        public static void main(String[] args) throws Exception {
            long before = totalStartedThreads();
            AdaptiveMutex.Builder b = AdaptiveMutex.builder(NativePlatform.instance());
            AdaptiveMutex m = args[0].equals("measured") ? b.tuning(SpinTuning.measured()).build() : b.build();
            long sections = Workers.contendFromTheStart(m, WORKERS, ROUNDS);
            if (sections != WORKERS * ROUNDS || m.metrics().acquisitions() != WORKERS * ROUNDS + 2) {
                throw new AssertionError("lost acquisitions: " + sections + ", " + m.metrics());
            }
            System.out.println(STARTED + (totalStartedThreads() - before));
        }

        /**
         * {@code ThreadMXBean.getTotalStartedThreadCount()}, called reflectively: the test sources
         * compile inside the library's module, which does not read {@code java.management}.
         */
        private static long totalStartedThreads() throws ReflectiveOperationException {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Method total = Class.forName("java.lang.management.ThreadMXBean").getMethod("getTotalStartedThreadCount");
            return (long) total.invoke(bean);
        }
    }
}
