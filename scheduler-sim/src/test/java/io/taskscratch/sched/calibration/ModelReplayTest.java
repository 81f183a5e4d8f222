package io.taskscratch.sched.calibration;

import io.taskscratch.sched.CostProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model charges each probe of {@link Calibrate} what the costs derived from it say. */
class ModelReplayTest {
    @Test
    void theModelReproducesTheProbesTheCostsWereDerivedFrom() {
        CalibrationProfile d = CalibrationProfile.defaultProfile();
        Map<String, Double> model = ModelReplay.replay(d);
        for (String probe : List.of("nanotime", "onspinwait", "spinload", "yield-empty", "parknanos-1us", "pingpong-cross-latency", "pingpong-cross-unpark",
                "pingpong-same-latency", "pingpong-same-unpark", "cas-pingpong")) {
            double measured = d.measured().get(probe).p50Ns();
            assertEquals(measured, model.get(probe), ModelReplay.TOLERANCE * measured, probe);
        }
    }

    @Test
    void replayFollowsTheCostsItIsGiven() {
        CostProfile c = new CostProfile(1_000, 30_000, 2_000, 5_000, 2_000, 500, 400, 25, 30, 1_500, 50_000, 80);
        Map<String, Double> m = ModelReplay.replay(new CalibrationProfile(Map.of(), c, Map.of()));
        assertEquals(25, m.get("nanotime"));
        assertEquals(30, m.get("onspinwait"));
        assertEquals(1.5, m.get("spinload"));
        assertEquals(400, m.get("yield-empty"));
        assertEquals(500 + 1_000 + 50_000 + 30_000 + 1_000, m.get("parknanos-1us"), "park, the 1 µs, the slack, an idle wake-up, a switch-in");
        assertEquals(2 * 1_000, m.get("yield-switch"), "a yield with a partner queued: a switch there and one back");
        assertEquals(30_000 + 1_000, m.get("pingpong-cross-latency"), "idle wake-up + switch-in");
        assertEquals(5_000, m.get("pingpong-cross-unpark"));
        assertEquals(2_000, m.get("pingpong-same-unpark"));
        double handOver = m.get("cas-pingpong");
        assertTrue(handOver >= 2 * 80 && handOver <= 2 * 80 + 2 * 2, "two transfers, a poll at most late each: " + handOver);
        assertTrue(m.get("pingpong-same-latency") >= 2_000 + 500 + 1_000 - 1_000,
                "unpark, park, switch (a wake-up preemption may cut the park): " + m);
    }
}
