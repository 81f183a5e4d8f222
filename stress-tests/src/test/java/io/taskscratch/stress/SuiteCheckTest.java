package io.taskscratch.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The twin rule and the mode table of {@link SuiteCheck} (the verdicts are exercised by the suite run). */
class SuiteCheckTest {
    @Test
    void everyTestNeedsItsBrokenTwinAndBack() {
        TreeSet<String> tests = new TreeSet<>(List.of(
                "io.taskscratch.stress.rcu.FooTest", "io.taskscratch.stress.rcu.BrokenFooTest",
                "io.taskscratch.stress.rcu.LonelyTest",
                "io.taskscratch.stress.hook.BrokenOrphanTest",
                "io.taskscratch.stress.hook.FooTest"));
        List<String> problems = SuiteCheck.twinProblems(tests);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("io.taskscratch.stress.hook.BrokenOrphanTest: has no test named io.taskscratch.stress.hook.OrphanTest"), problems.get(0));
        assertTrue(problems.get(1).contains("hook.FooTest: has no broken twin named io.taskscratch.stress.hook.BrokenFooTest"), problems.get(1));
        assertTrue(problems.get(2).contains("rcu.LonelyTest: has no broken twin"), problems.get(2));
    }

    @Test
    void brokenIsDecidedBySimpleName() {
        assertTrue(SuiteCheck.isBroken("io.taskscratch.stress.rcu.BrokenFooTest"));
        assertFalse(SuiteCheck.isBroken("io.taskscratch.stress.broken.FooTest"));
    }

    @Test
    void modesAreFastAndQuickOnly() {
        assertTrue(SuiteCheck.modeOptions("quick").containsAll(List.of("-m", "quick")));
        assertTrue(SuiteCheck.modeOptions("fast").contains("-time"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SuiteCheck.modeOptions("tough"));
        assertTrue(e.getMessage().contains("tough"), e.getMessage());
    }
}
