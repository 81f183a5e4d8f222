package io.taskscratch.rcu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The asymmetric barrier is in use where the project runs (Linux x86-64, kernel ≥ 4.14). */
class MembarrierTest {
    @Test
    void activeOnLinuxX86WithNativeAccess() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && "amd64".equals(System.getProperty("os.arch")),
                "membarrier is only expected on Linux x86-64");
        assertTrue(Rcu.usesMembarrier(), "readers fall back to full fences: membarrier registration failed");
        Membarrier.global(); // throws if the call fails after registration
    }
}
