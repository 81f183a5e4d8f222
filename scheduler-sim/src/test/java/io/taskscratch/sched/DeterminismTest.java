package io.taskscratch.sched;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeterminismTest {
    private static final long RUN_NS = 20_000_000L;

    @ParameterizedTest
    @CsvSource({"2, fair, 1", "4, rr, 2", "3, fair, 3"})
    void sameSeedSameTraceAcrossRunsAndThreadKinds(int cpus, String policy, long seed) {
        SimConfig c = SimConfig.builder().cpus(cpus).policy(policy).seed(seed).rrSliceNs(1_000_000).build();
        String first = Scenarios.mixed(c, RUN_NS).sha256();
        String again = Scenarios.mixed(c, RUN_NS).sha256();
        String platformThreads = Scenarios.mixed(c.toBuilder().threads(ThreadKind.PLATFORM).build(), RUN_NS).sha256();
        String checked = Scenarios.mixed(c.toBuilder().checkInvariants(true).build(), RUN_NS).sha256();
        assertEquals(first, again);
        assertEquals(first, platformThreads);
        assertEquals(first, checked, "invariant checking observes, never changes the run");
    }

    @Test
    void splitRandomStreamsRepeatWithTheSeed() {
        long[] a = new long[3];
        long[] b = new long[3];
        for (long[] out : new long[][]{a, b}) {
            Simulation sim = new Simulation(SimConfig.builder().seed(5).build());
            java.util.SplittableRandom r = sim.splitRandom();
            for (int i = 0; i < out.length; i++) {
                out[i] = r.nextLong();
            }
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
    }

    @Test
    void hashIsSensitiveToSeedAndConfig() {
        SimConfig c = SimConfig.builder().cpus(2).seed(1).build();
        String base = Scenarios.mixed(c, RUN_NS).sha256();
        assertNotEquals(base, Scenarios.mixed(c.toBuilder().seed(2).build(), RUN_NS).sha256());
        assertNotEquals(base, Scenarios.mixed(c.toBuilder().contextSwitchNs(1_501).build(), RUN_NS).sha256());
    }

    @Test
    void sameTraceInAFreshJvm() throws Exception {
        SimConfig c = SimConfig.builder().cpus(2).policy("fair").seed(99).build();
        String here = Scenarios.mixed(c, RUN_NS).sha256();
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String flag : System.getProperty("taskscratch.jvm.flags", "").split("\\s+")) {
            if (!flag.isBlank()) {
                cmd.add(flag);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Scenarios.class.getName(), "2", "fair", "99", Long.toString(RUN_NS)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String hashLine = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith("HASH ")) {
                    hashLine = line.substring(5);
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), all.toString());
        assertEquals(here, hashLine, all.toString());
    }
}
