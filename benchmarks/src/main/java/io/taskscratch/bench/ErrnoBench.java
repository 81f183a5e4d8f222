package io.taskscratch.bench;

import io.taskscratch.Errno;
import org.openjdk.jmh.annotations.Benchmark;

/** Placeholder so the JMH jar is never empty; replaced by real benchmarks. */
public class ErrnoBench {
    /** Trivial benchmark. */
    @Benchmark
    public int code() {
        return Errno.EINVAL.code();
    }
}
