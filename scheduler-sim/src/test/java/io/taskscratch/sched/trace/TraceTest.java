package io.taskscratch.sched.trace;

import io.taskscratch.Errno;
import io.taskscratch.ScratchException;
import io.taskscratch.sched.SimConfig;
import io.taskscratch.sched.SimResult;
import io.taskscratch.sched.SimTask;
import io.taskscratch.sched.Simulation;
import io.taskscratch.sched.workload.SpinParkLock;
import io.taskscratch.sched.workload.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceTest {
    private record Run(Simulation sim, TraceRecorder rec, SimResult result) {
    }

    private static Run contention() {
        Simulation sim = new Simulation(SimConfig.builder().cpus(2).seed(3).build());
        TraceRecorder rec = TraceRecorder.attach(sim);
        SpinParkLock lock = new SpinParkLock(sim.platform(), 10);
        for (int i = 0; i < 4; i++) {
            sim.spawn("w" + i, p -> {
                for (int k = 0; k < 200; k++) {
                    long t0 = p.now();
                    lock.lock();
                    long t1 = p.now();
                    p.work(2_000);
                    lock.unlock();
                    p.mark("spin", t0, t1);
                    p.mark("hold", t1, p.now());
                    p.work(p.random().nextLong(4_000));
                }
            });
        }
        Workloads.addHogs(sim, 1, 50_000);
        SimResult r = sim.run(1_000_000_000L);
        return new Run(sim, rec, r);
    }

    @Test
    void fileRoundTripKeepsEveryEvent(@TempDir Path dir) throws Exception {
        Run run = contention();
        Path file = dir.resolve("run.tstrace");
        run.rec().writeTo(file);
        assertEquals(run.rec().size(), Files.size(file));
        Trace back = TraceReader.read(file);
        assertEquals(2, back.cpus());
        assertEquals(run.rec().trace(), back);
        long switches = back.events().stream().filter(e -> e instanceof TraceEvent.Switch).count();
        assertEquals(run.result().switches(), switches);
        long marks = back.events().stream().filter(e -> e instanceof TraceEvent.Mark m && m.label().equals("hold")).count();
        assertEquals(800, marks);
        for (int i = 1; i < back.events().size(); i++) {
            assertTrue(back.events().get(i).timeNs() >= back.events().get(i - 1).timeNs(), "time-ordered");
        }
        double bytesPerEvent = (double) Files.size(file) / back.events().size();
        assertTrue(bytesPerEvent < 8, "compact: " + bytesPerEvent + " bytes/event");
    }

    @Test
    void timehistAgreesWithTheModelsOwnAccounting() {
        Run run = contention();
        long end = run.result().virtualTimeNs();
        List<TimeHist.TaskTimes> times = TimeHist.compute(run.rec().trace(), end);
        assertEquals(run.sim().tasks().size(), times.size());
        for (TimeHist.TaskTimes t : times) {
            SimTask task = run.sim().tasks().get((int) t.task());
            assertEquals(task.name(), t.name());
            assertEquals(task.runtimeNs(), t.runNs(), "run time of " + task);
            assertEquals(task.waitTimeNs(), t.waitNs(), "wait time of " + task);
            assertEquals(task.maxSchedDelayNs(), t.maxDelayNs(), "max delay of " + task);
            assertEquals(task.preemptions(), t.preemptions());
            assertEquals(task.migrations(), t.migrations());
            assertEquals(task.switches(), 2 * t.switchIns() - (task.onCpu() ? 1 : 0));
        }
        String table = TimeHist.format(run.rec().trace(), end);
        assertTrue(table.lines().count() == 1 + times.size(), table);
        assertTrue(table.contains("hog-0") && table.contains("max delay ms"), table);
    }

    @Test
    void svgShowsCpuLanesRunsAndMarkedIntervals(@TempDir Path dir) throws Exception {
        Run run = contention();
        Timeline tl = Timeline.of(run.rec().trace(), run.result().virtualTimeNs());
        long busy = 0;
        for (int c = 0; c < 2; c++) {
            for (Timeline.Run r : tl.runs(c)) {
                assertTrue(r.endNs() > r.startNs());
                busy += r.endNs() - r.startNs();
            }
        }
        long modelRun = run.sim().tasks().stream().mapToLong(SimTask::runtimeNs).sum();
        assertEquals(modelRun, busy, "the picture accounts for every nanosecond the model ran");
        tl.addInterval(0, "park", 1_000, 2_000);
        Path file = dir.resolve("timeline.svg");
        SvgTimeline.write(tl, 1200, file);
        String svg = Files.readString(file);
        assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"));
        assertTrue(svg.contains("cpu 0") && svg.contains("cpu 1"));
        assertTrue(svg.contains("#2e7d32"), "hold intervals drawn");
        assertTrue(svg.contains("#9e9e9e"), "added park interval drawn");
        assertTrue(svg.contains(">w0<") || svg.contains(">w0</text>") || svg.contains("w0 "), "task names");
        String zoom = SvgTimeline.render(tl, 0, 100_000, 800);
        assertTrue(zoom.length() < svg.length(), "a window draws less");
    }

    @Test
    void corruptTracesAreRefused() {
        ScratchException e = assertThrows(ScratchException.class, () -> TraceReader.read(new byte[]{1, 2, 3, 4, 5, 6}));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("magic"));
        byte[] good = contention().rec().toByteArray();
        byte[] cut = Arrays.copyOf(good, good.length - 3);
        ScratchException t = assertThrows(ScratchException.class, () -> TraceReader.read(cut));
        assertEquals(Errno.EINVAL, t.errno());
    }
}
