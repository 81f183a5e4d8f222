package io.taskscratch.rcu;

import java.time.Duration;
import java.util.List;

/**
 * What a writer saw when a reader held up its grace period for longer than the domain's stall
 * timeout ({@link RcuOptions#stallTimeout()}), or when a reader's thread ended inside a section.
 * Delivered to {@link RcuOptions#stallListener()}; the grace period keeps waiting after a stall
 * report (it is a warning, as in the kernel) but treats an exited reader as having left.
 *
 * @param domain        name of the {@link Rcu} domain
 * @param thread        the reader's thread
 * @param flavor        the flavor of the section that holds the grace period up
 * @param nesting       how deeply the reader was nested when last seen
 * @param waited        how long the writer had waited for this reader when it reported
 * @param readerExited  {@code true} when the reader's thread ended inside the section; the
 *                      section is then treated as ended
 * @param stack         where the reader was when reported (empty for an exited thread)
 */
public record StallReport(String domain, Thread thread, Flavor flavor, int nesting, Duration waited,
                          boolean readerExited, List<StackTraceElement> stack) {
    /** Copies {@code stack}. */
    public StallReport {
        stack = List.copyOf(stack);
    }

    /** One line naming the thread, the flavor and the duration, followed by the reader's stack. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("rcu[").append(domain).append("] ")
          .append(readerExited ? "reader thread exited inside its " : "stall: reader thread ")
          .append(readerExited ? flavor + " section: " : "")
          .append('"').append(thread.getName()).append("\" (tid ").append(thread.threadId()).append(')');
        if (!readerExited) {
            sb.append(" has held a ").append(flavor).append(" read section (nesting ").append(nesting)
              .append(") blocking a grace period for ").append(waited.toMillis()).append(" ms");
        }
        for (StackTraceElement e : stack) {
            sb.append("\n\tat ").append(e);
        }
        return sb.toString();
    }
}
