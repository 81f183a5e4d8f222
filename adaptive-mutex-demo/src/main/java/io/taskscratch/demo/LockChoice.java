package io.taskscratch.demo;

import io.taskscratch.demo.locks.LockKind;
import io.taskscratch.mutex.RegionOwnerStateSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One lock of the comparison as the demo names it: a {@link LockKind} and, for the adaptive
 * mutex, where its owner state comes from.
 *
 * @param id       the command-line name, e.g. {@code ttas}, {@code adaptive-lossy-10}
 * @param kind     the lock
 * @param state    the adaptive mutex's state source; {@link State#NONE} for the classic locks
 * @param dropRate lossy / rseq drop rate in [0, 1]
 */
public record LockChoice(String id, LockKind kind, State state, double dropRate) {
    /** Where an adaptive mutex learns the owner's state. */
    public enum State {
        /** No state: time-bounded spin then park (and every classic lock). */
        NONE,
        /** Regions written by the uptr hook: every write lands. */
        PINNED,
        /** Regions written by probe-write: evicted pages drop writes. */
        LOSSY,
        /** rseq-style hint: clears on switch-out dropped. */
        RSEQ,
        /** Regions written by the real kernel's sched_switch program ({@code --backend kernel} only). */
        KERNEL
    }

    /** The classic locks, in table order. */
    public static final List<String> CLASSIC = List.of("reentrant", "reentrant-fair", "synchronized", "ttas", "spin100",
            "backoff", "yield40");

    /** The default comparison: every classic lock and the adaptive mutex with none, pinned, lossy and rseq state. */
    public static final List<String> DEFAULT_SET = List.of("reentrant", "reentrant-fair", "synchronized", "ttas", "spin100",
            "backoff", "yield40", "adaptive-none", "adaptive-pinned", "adaptive-lossy-1", "adaptive-lossy-10",
            "adaptive-lossy-50", "adaptive-rseq-10", "adaptive-rseq-50");

    /**
     * Parses a lock name: one of {@link #CLASSIC}, {@code adaptive-none}, {@code adaptive-pinned},
     * {@code adaptive-lossy-<pct>} or {@code adaptive-rseq-<pct>}.
     *
     * @param text the name
     * @return the choice
     * @throws IllegalArgumentException listing the valid names
     */
    public static LockChoice parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "reentrant": return classic(t, LockKind.REENTRANT_LOCK);
            case "reentrant-fair": return classic(t, LockKind.REENTRANT_LOCK_FAIR);
            case "synchronized": return classic(t, LockKind.SYNCHRONIZED);
            case "ttas": return classic(t, LockKind.TTAS_SPIN);
            case "spin100": return classic(t, LockKind.SPIN_100_THEN_PARK);
            case "backoff": return classic(t, LockKind.BACKOFF_SPIN_YIELD_PARK);
            case "yield40": return classic(t, LockKind.YIELD_40_THEN_PARK);
            case "adaptive-none": return new LockChoice(t, LockKind.ADAPTIVE, State.NONE, 0);
            case "adaptive-pinned": return new LockChoice(t, LockKind.ADAPTIVE, State.PINNED, 0);
            case "adaptive-kernel": return new LockChoice(t, LockKind.ADAPTIVE, State.KERNEL, 0);
            default:
                for (State s : new State[] {State.LOSSY, State.RSEQ}) {
                    String prefix = "adaptive-" + s.name().toLowerCase(Locale.ROOT) + "-";
                    if (t.startsWith(prefix)) {
                        double pct;
                        try {
                            pct = Double.parseDouble(t.substring(prefix.length()).replace("%", ""));
                        } catch (NumberFormatException e) {
                            throw bad(text);
                        }
                        if (pct < 0 || pct > 100) {
                            throw bad(text);
                        }
                        return new LockChoice(t, LockKind.ADAPTIVE, s, pct / 100);
                    }
                }
                throw bad(text);
        }
    }

    /**
     * Parses a comma-separated list.
     *
     * @param csv names
     * @return the choices in order
     */
    public static List<LockChoice> parseList(List<String> csv) {
        List<LockChoice> out = new ArrayList<>();
        for (String s : csv) {
            out.add(parse(s));
        }
        return out;
    }

    /**
     * An adaptive mutex with the given state at a drop rate.
     *
     * @param state    the state source
     * @param dropRate in [0, 1]
     * @return the choice
     */
    public static LockChoice adaptive(State state, double dropRate) {
        String id = switch (state) {
            case NONE -> "adaptive-none";
            case PINNED -> "adaptive-pinned";
            case KERNEL -> "adaptive-kernel";
            default -> "adaptive-" + state.name().toLowerCase(Locale.ROOT) + "-" + pct(dropRate);
        };
        return parse(id);
    }

    private static String pct(double rate) {
        double p = rate * 100;
        return p == Math.rint(p) ? Long.toString(Math.round(p)) : Double.toString(p);
    }

    private static LockChoice classic(String id, LockKind kind) {
        return new LockChoice(id, kind, State.NONE, 0);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("lock '" + text + "': use one of " + String.join(", ", CLASSIC)
                + ", adaptive-none, adaptive-pinned, adaptive-lossy-<pct>, adaptive-rseq-<pct>, adaptive-kernel (--backend kernel)");
    }

    /** Whether this is the adaptive mutex. */
    public boolean adaptive() {
        return kind == LockKind.ADAPTIVE;
    }

    /** The state source's name: {@code none}, {@code pinned}, {@code lossy-N%}, {@code rseq-N%}. */
    public String sourceName() {
        return switch (state) {
            case NONE -> "none";
            case PINNED -> "pinned";
            case KERNEL -> "kernel";
            case LOSSY -> RegionOwnerStateSource.nameFor("lossy", dropRate);
            case RSEQ -> RegionOwnerStateSource.nameFor("rseq", dropRate);
        };
    }

    /** The label in tables and charts, e.g. {@code ttas}, {@code adaptive[lossy-10%]}. */
    public String label() {
        return adaptive() ? "adaptive[" + sourceName() + "]" : id;
    }
}
