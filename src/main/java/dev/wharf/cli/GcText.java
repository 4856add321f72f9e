package dev.wharf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * How {@code wharf gc} shows a garbage collection run (the admin API's run JSON) to people: the one-line progress
 * that a terminal redraws, the plain line per phase for logs, the final summary, and human sizes and durations.
 * Pure text, so that it is tested without a server.
 */
final class GcText {
    /** The spinner's frames: plain ASCII, which every terminal and code page shows. */
    private static final String SPINNER = "|/-\\";
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private GcText() {
    }

    /** Whether the run has ended: succeeded, failed or interrupted (anything but queued and running). */
    static boolean ended(JsonNode run) {
        String state = JsonText.text(run, "state");
        return state != null && !state.equals("queued") && !state.equals("running");
    }

    static boolean succeeded(JsonNode run) {
        return "succeeded".equals(JsonText.text(run, "state"));
    }

    /** {@code Garbage collection 1b4e... started (dry run, full sweep).} */
    static String started(JsonNode run) {
        return (dryRun(run) ? "Dry run " : "Garbage collection ") + JsonText.text(run, "id") + " started ("
                + mode(run) + ").";
    }

    /** {@code dry run, full sweep}, {@code queued items}: what kind of run it is. */
    static String mode(JsonNode run) {
        return (dryRun(run) ? "dry run, " : "") + (bool(run, "full") ? "full sweep" : "queued items");
    }

    /**
     * The line a terminal redraws while the run goes on: a spinner frame ({@code tick} picks it), the phase, the
     * counters and the time so far, cut to {@code width} columns so that it never wraps (a wrapped line cannot be
     * redrawn with a carriage return).
     */
    static String progressLine(JsonNode run, int tick, int width) {
        String line = SPINNER.charAt(Math.floorMod(tick, SPINNER.length())) + " " + phase(run) + " "
                + duration(number(run, "duration_ms")) + ": " + counters(run);
        int max = Math.max(10, width - 1);
        return line.length() <= max ? line : line.substring(0, max - 3) + "...";
    }

    /** The plain line printed when the run enters a phase: {@code reviewing: reviewed 12, deleted ...}. */
    static String phaseLine(JsonNode run) {
        return phase(run) + ": " + counters(run);
    }

    /**
     * What the run has done so far: {@code reviewed 1,204, deleted 2 tags, 3 manifests and 9 blobs (12.4 MiB)},
     * with the files scanned for a full sweep and "would delete" for a dry run.
     */
    static String counters(JsonNode run) {
        StringBuilder s = new StringBuilder();
        if (bool(run, "full")) {
            s.append("scanned ").append(count(number(run, "files_scanned"))).append(" files, ");
        }
        s.append("reviewed ").append(count(number(run, "reviewed"))).append(", ")
                .append(dryRun(run) ? "would delete " : "deleted ").append(deletions(run))
                .append(" (").append(bytes(number(run, "bytes_freed"))).append(')');
        return s.toString();
    }

    /**
     * The last line: how the run ended, what it deleted (or would delete) and freed, and how long it took, e.g.
     * {@code Garbage collection succeeded in 2.4 s: deleted 1 tag, 3 manifests and 9 blobs, freed 12.4 MiB.}
     */
    static String summary(JsonNode run) {
        String state = JsonText.text(run, "state");
        String what = dryRun(run) ? "Dry run" : "Garbage collection";
        String took = duration(number(run, "duration_ms"));
        String freed = bytes(number(run, "bytes_freed"));
        String ended = switch (state == null ? "" : state) {
            case "succeeded" -> what + " succeeded in " + took;
            case "failed" -> what + " failed after " + took;
            case "interrupted" -> what + " was interrupted after " + took;
            default -> what + " is " + (state == null ? "in an unknown state" : state) + " after " + took;
        };
        if (dryRun(run)) {
            return ended + ": would delete " + deletions(run) + ", would free " + freed + ". Nothing was deleted.";
        }
        return ended + ": deleted " + deletions(run) + ", freed " + freed + ".";
    }

    /** {@code 1 tag, 3 manifests and 9 blobs}. */
    static String deletions(JsonNode run) {
        return plural(number(run, "tags_deleted"), "tag") + ", " + plural(number(run, "manifests_deleted"), "manifest")
                + " and " + plural(number(run, "blobs_deleted"), "blob");
    }

    /** A size in binary units: {@code 0 B}, {@code 999 B}, {@code 1.5 KiB}, {@code 12.4 MiB}; "-" when negative. */
    static String bytes(long n) {
        if (n < 0) {
            return "-";
        }
        if (n < 1024) {
            return n + " B";
        }
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        String shown = String.format(Locale.ROOT, "%.1f", value);
        if (shown.equals("1024.0") && unit < UNITS.length - 1) {
            shown = "1.0";
            unit++;
        }
        return shown + " " + UNITS[unit];
    }

    /** A duration in milliseconds: {@code 850 ms}, {@code 12.3 s}, {@code 2m 05s}, {@code 1h 02m}. */
    static String duration(long millis) {
        long ms = Math.max(0, millis);
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", Math.floor(ms / 100.0) / 10);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60);
    }

    /** {@code 1,204}. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String plural(long n, String noun) {
        return count(n) + " " + noun + (n == 1 ? "" : "s");
    }

    private static String phase(JsonNode run) {
        String phase = JsonText.text(run, "phase");
        if (phase == null || phase.isBlank()) {
            phase = JsonText.text(run, "state");
        }
        return Table.clean(phase == null ? "starting" : phase);
    }

    private static boolean dryRun(JsonNode run) {
        return bool(run, "dry_run");
    }

    private static boolean bool(JsonNode run, String field) {
        JsonNode v = run == null ? null : run.get(field);
        return v != null && v.asBoolean(false);
    }

    /** A counter of the run; 0 when absent or null. */
    static long number(JsonNode run, String field) {
        JsonNode v = run == null ? null : run.get(field);
        return v == null ? 0 : v.asLong(0);
    }
}
