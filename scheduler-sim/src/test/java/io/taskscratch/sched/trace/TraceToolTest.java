package io.taskscratch.sched.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceToolTest {
    private static String capture(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            TraceTool.main(args);
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runWritesTraceReportAndPictureAndReportReadsTheTraceBack(@TempDir Path dir) throws Exception {
        String out = capture("run", "--cpus", "2", "--tasks", "3", "--hogs", "1", "--ms", "1", "--out", dir.toString());
        Path trace = dir.resolve("trace.tstrace");
        assertTrue(Files.size(trace) > 100);
        String table = Files.readString(dir.resolve("timehist.txt"));
        assertTrue(table.contains("worker-2") && table.contains("hog-0"), table);
        assertTrue(Files.readString(dir.resolve("timeline.svg")).contains("cpu 1"));
        assertTrue(out.contains("TIME_LIMIT after 1000000 ns virtual"), out);

        Path zoom = dir.resolve("zoom.svg");
        String report = capture("report", trace.toString(), "--svg", zoom.toString(), "--to", "1000000");
        assertEquals(table, report, "the report from the file equals the one written during the run");
        assertTrue(Files.readString(zoom).startsWith("<svg"));
    }
}
