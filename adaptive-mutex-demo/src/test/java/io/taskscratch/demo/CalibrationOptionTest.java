package io.taskscratch.demo;

import io.taskscratch.sched.calibration.CalibrationProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's {@code --calibration}: a bad profile stops the demo with EINVAL naming the field before any run. */
class CalibrationOptionTest {
    @Test
    void aProfileWithANegativeCostIsRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("neg.json");
        Files.writeString(bad, CalibrationProfile.defaultProfile().toJson().replaceFirst("\"parkNs\": \\d+", "\"parkNs\": -5"));
        StringWriter err = new StringWriter();
        Path out = dir.resolve("out");
        int code = DemoMain.run(new PrintWriter(err, true), "--calibration", bad.toString(), "--out", out.toString(), "--no-sweeps");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("EINVAL") && err.toString().contains("costs.parkNs"), err.toString());
        assertFalse(Files.exists(out), "nothing ran, nothing written");
    }
}
