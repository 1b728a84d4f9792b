package org.gcs.examples.filesend;

import java.io.PrintStream;

/**
 * Prints transfer progress as one line per crossed step of {@value #STEP_PERCENT} %:
 * {@code progress <verb> <percent>% <done>/<total> bytes}. An empty transfer prints 100 % once at {@link #finish()}.
 */
public final class Progress {
    public static final int STEP_PERCENT = 10;

    private final PrintStream out;
    private final String verb;
    private final long total;
    private long done;
    private int printedPercent = -1;

    public Progress(PrintStream out, String verb, long total) {
        if (total < 0) {
            throw new IllegalArgumentException("total must not be negative: " + total);
        }
        this.out = out;
        this.verb = verb;
        this.total = total;
    }

    /** Records {@code bytes} more; prints when a new step is reached. */
    public void advance(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
        done = Math.min(total, done + bytes);
        if (total == 0) {
            return;
        }
        int percent = (int) (done * 100 / total);
        int step = percent / STEP_PERCENT * STEP_PERCENT;
        if (step > printedPercent && step > 0) {
            print(step);
        }
    }

    /** Prints 100 % if that line has not been printed yet. */
    public void finish() {
        if (printedPercent < 100) {
            done = total;
            print(100);
        }
    }

    public long done() {
        return done;
    }

    private void print(int percent) {
        printedPercent = percent;
        out.println("progress " + verb + " " + percent + "% " + done + "/" + total + " bytes");
    }
}
