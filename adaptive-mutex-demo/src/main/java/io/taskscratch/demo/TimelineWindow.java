package io.taskscratch.demo;

import io.taskscratch.sched.trace.Timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Picks the window {@code timeline.svg} shows: a CPU hog taking the CPU of a task that holds the
 * lock (lock-holder preemption, what the adaptive mutex cannot spin through) and a waiter parking
 * behind the preempted holder, both in view when they are close enough (else the park, with the
 * holder still off its CPU). Runs without such a moment get the window with the most
 * hold/spin/park intervals.
 */
final class TimelineWindow {
    /** Hog tasks' names start with this ({@link DemoRun}). */
    static final String HOG_PREFIX = "hog";
    /** Where the preemption sits in the window: a quarter in, so what follows is in view. */
    private static final int LEAD_DIVISOR = 4;

    private TimelineWindow() {
    }

    /**
     * A chosen window.
     *
     * @param fromNs its start
     * @param shows  what it shows, for the chart's title
     */
    record Choice(long fromNs, String shows) {
    }

    /**
     * Chooses the window.
     *
     * @param tl    the traced run
     * @param width window width in ns
     * @return its start, and whether it shows a holder preemption
     */
    static Choice choose(Timeline tl, long width) {
        List<Timeline.Interval> parks = tl.intervals().stream().filter(i -> i.label().equals("park")).toList();
        long best = -1;
        long bestGap = Long.MAX_VALUE;
        String shows = "";
        for (Preemption p : holderPreemptionsByHogs(tl)) {
            for (Timeline.Interval park : parks) {
                long gap = park.startNs() - p.atNs();
                if (park.task() != p.hold().task() && gap >= 0 && park.startNs() < p.hold().endNs() && gap < bestGap) {
                    bestGap = gap;
                    boolean both = gap <= width - width / LEAD_DIVISOR;
                    best = both ? p.atNs() - width / (2 * LEAD_DIVISOR) : park.startNs() - width / 2;
                    shows = both ? "a hog takes a lock holder's CPU and a waiter parks behind the holder"
                            : "a lock holder off its CPU while hogs run, and a waiter parking behind it";
                }
            }
            if (best < 0) {
                best = p.atNs() - width / LEAD_DIVISOR; // the first preemption, if no waiter parks behind any
                shows = "a hog takes a lock holder's CPU";
            }
        }
        return best >= 0 ? new Choice(clamp(tl, best, width), shows)
                : new Choice(busiest(tl, width), "the most lock activity (no hog preempted a lock holder in this run)");
    }

    /**
     * A lock holder losing its CPU to a hog.
     *
     * @param atNs when
     * @param hold the holder's hold interval
     */
    record Preemption(long atNs, Timeline.Interval hold) {
    }

    /** Every time a task holding the lock lost its CPU to a hog, in time order. */
    static List<Preemption> holderPreemptionsByHogs(Timeline tl) {
        Map<Long, List<Timeline.Run>> byTask = new HashMap<>();
        List<Timeline.Run> all = new ArrayList<>();
        for (int c = 0; c < tl.cpus(); c++) {
            for (Timeline.Run r : tl.runs(c)) {
                byTask.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(r);
                all.add(r);
            }
        }
        List<Preemption> out = new ArrayList<>();
        for (Timeline.Interval hold : tl.intervals()) {
            if (!hold.label().equals("hold")) {
                continue;
            }
            for (Timeline.Run r : byTask.getOrDefault(hold.task(), List.of())) {
                if (r.endNs() > hold.startNs() && r.endNs() < hold.endNs() && nextOnCpuIsHog(tl, all, r)) {
                    out.add(new Preemption(r.endNs(), hold));
                }
            }
        }
        out.sort(Comparator.comparingLong(Preemption::atNs));
        return out;
    }

    private static boolean nextOnCpuIsHog(Timeline tl, List<Timeline.Run> all, Timeline.Run r) {
        return all.stream().filter(n -> n.cpu() == r.cpu() && n.startNs() >= r.endNs())
                .min(Comparator.comparingLong(Timeline.Run::startNs))
                .map(n -> tl.name(n.task()).startsWith(HOG_PREFIX)).orElse(false);
    }

    /** Start of the {@code width}-long window holding the most hold/spin/park intervals (the most to see). */
    private static long busiest(Timeline tl, long width) {
        long[] starts = tl.intervals().stream().mapToLong(Timeline.Interval::startNs).sorted().toArray();
        long best = 0;
        int bestCount = 0;
        for (int i = 0, j = 0; i < starts.length; i++) {
            while (j < starts.length && starts[j] < starts[i] + width) {
                j++;
            }
            if (j - i > bestCount) {
                bestCount = j - i;
                best = starts[i];
            }
        }
        return clamp(tl, best - width / 20, width);
    }

    private static long clamp(Timeline tl, long from, long width) {
        return Math.max(tl.startNs(), Math.min(from, tl.endNs() - width));
    }
}
