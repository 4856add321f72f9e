package dev.wharf.web;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Sizes and times as the pages show them. */
final class Sizes {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'",
            Locale.ROOT);
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
    }

    static String human(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    static String when(OffsetDateTime t) {
        return WHEN.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** The time, or "never" for none (a token never used, a repository never pushed). */
    static String whenOrNever(OffsetDateTime t) {
        return t == null ? "never" : when(t);
    }
}
