package io.taskscratch.sched.calibration;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.CostProfile;
import io.taskscratch.sched.SimConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CalibrationProfileTest {
    private static final CalibrationProfile SAMPLE = new CalibrationProfile(Map.of("cpus", "2"),
            new CostProfile(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), Map.of("nanotime", new CalibrationProfile.Probe(25.5, 30, 1000)));

    @Test
    void roundTripsThroughJson() {
        CalibrationProfile back = CalibrationProfile.parse(SAMPLE.toJson(), "sample");
        assertEquals(SAMPLE, back);
    }

    @Test
    void theCheckedInProfileGivesSimConfigsDefaults() {
        CalibrationProfile d = CalibrationProfile.defaultProfile();
        assertEquals(d.costs(), SimConfig.builder().build().costs());
        assertTrue(d.costs().wakeupIdleNs() > d.costs().contextSwitchNs(), "a wake-up onto an idle CPU is slower than a switch");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "missing cost                        | \"wakeupIdleNs\": 2,         |                                        | wakeupIdleNs",
        "negative cost                       | \"parkNs\": 6                | \"parkNs\": -6                         | costs.parkNs",
        "unknown cost                        | \"yieldNs\": 7,              | \"yieldNs\": 7, \"fooNs\": 1,          | fooNs",
        "fractional cost                     | \"clockReadNs\": 8           | \"clockReadNs\": 8.5                   | costs.clockReadNs",
        "string cost                         | \"spinPauseNs\": 9           | \"spinPauseNs\": \"9\"                 | costs.spinPauseNs",
        "missing last cost                   | ,\\n    \"lineTransferNs\": 12 |                                      | lineTransferNs",
        "unknown top-level field             | \"costs\":                   | \"extra\": 1, \"costs\":               | extra",
        "wrong format                        | taskscratch-calibration-1    | other-2                                | format",
        "unknown probe field                 | \"samples\": 1000            | \"samples\": 1000, \"p99Ns\": 1        | measured.nanotime.p99Ns",
        "negative probe value                | \"p50Ns\": 25.5              | \"p50Ns\": -1                          | measured.nanotime.p50Ns",
        "malformed JSON                      | \"costs\": {                 | \"costs\": {{                          | JSON at offset",
        "trailing text                       | }\\n}\\n                     | }\\n}\\n}                              | trailing text",
    })
    void badProfilesAreRefusedWithEinvalNamingTheField(String what, String replace, String with, String culprit) {
        String json = SAMPLE.toJson().replace(unescape(replace), with == null ? "" : unescape(with));
        ScratchException e = assertThrows(ScratchException.class, () -> CalibrationProfile.parse(json, "bad.json"), what);
        assertEquals(Errno.EINVAL, e.errno(), what);
        assertTrue(e.getMessage().contains(culprit), what + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("bad.json"), "names the file: " + e.getMessage());
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n");
    }

    @Test
    void theBadEditsReallyApply() {
        // Guards the table above: each replacement must find its text in the sample, or the test would pass vacuously.
        String json = SAMPLE.toJson();
        for (String needle : new String[] {"\"wakeupIdleNs\": 2,", "\"parkNs\": 6", "\"yieldNs\": 7,", "\"clockReadNs\": 8",
            "\"spinPauseNs\": 9", ",\n    \"lineTransferNs\": 12", "\"costs\":", "taskscratch-calibration-1", "\"samples\": 1000", "\"p50Ns\": 25.5", "}\n}\n"}) {
            assertTrue(json.contains(needle), needle + " in\n" + json);
        }
    }
}
