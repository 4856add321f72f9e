package dev.wharf.cli;

import dev.wharf.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** Reading times from the command line and showing the server's times to people. */
public final class Times {
    private static final DateTimeFormatter ABSOLUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** English zone abbreviations ({@code CET}); the root locale has none from JDK 25 on and prints offsets. */
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH);
    private static final DateTimeFormatter WIRE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
    static final String FORMATS = "use YYYY-MM-DD, an RFC 3339 time such as 2027-01-01T12:00:00Z, or a duration "
            + "such as 30d, 12h or 2w";

    private Times() {
    }

    /**
     * A point in time given on the command line: a date (midnight in the local zone), a local or RFC 3339 date-time,
     * or a duration ({@code 30d}, {@code 12h}, {@code 2w}, {@code 45m}, {@code 90s}) counted from now into the future
     * ({@code future}) or the past.
     */
    public static Instant parse(String raw, String option, Clock clock, boolean future) {
        String s = raw == null ? "" : raw.trim();
        Optional<Duration> duration = Durations.shortForm(s.toLowerCase(Locale.ROOT));
        if (duration.isPresent()) {
            return future ? clock.instant().plus(duration.get()) : clock.instant().minus(duration.get());
        }
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay(clock.getZone()).toInstant();
            }
            if (s.endsWith("Z") || s.endsWith("z") || s.matches(".*[+-]\\d\\d:?\\d\\d$")) {
                return OffsetDateTime.parse(s.toUpperCase(Locale.ROOT)).toInstant();
            }
            return LocalDateTime.parse(s).atZone(clock.getZone()).toInstant();
        } catch (DateTimeParseException e) {
            throw CliException.usage("invalid time '" + raw + "' for " + option + ": " + FORMATS);
        }
    }

    /** The RFC 3339 UTC form the API takes, e.g. {@code 2027-01-01T00:00:00Z}. */
    public static String wire(Instant t) {
        return WIRE.format(t.atOffset(ZoneOffset.UTC));
    }

    /** A time from the API (RFC 3339); null when absent or unreadable. */
    public static Instant fromApi(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code 2026-11-22 06:15:10 UTC}, in the clock's zone. */
    public static String absolute(Instant t, Clock clock) {
        ZonedDateTime at = t.atZone(clock.getZone());
        String zone = at.getZone().normalized().equals(ZoneOffset.UTC) ? "UTC" : ZONE.format(at);
        return ABSOLUTE.format(at) + " " + zone;
    }

    /** {@code 5 minutes ago}, {@code in 29 days}, {@code just now}; older than a year, the date. */
    public static String relative(Instant t, Clock clock) {
        Duration d = Duration.between(t, clock.instant());
        boolean past = !d.isNegative();
        long s = Math.abs(d.toSeconds());
        String amount;
        if (s < 60) {
            return past ? "just now" : "in less than a minute";
        } else if (s < 3600) {
            amount = plural(nearest(s, 60), "minute");
        } else if (s < 48 * 3600) {
            amount = plural(nearest(s, 3600), "hour");
        } else if (s < 365L * 86400) {
            amount = plural(nearest(s, 86400), "day");
        } else {
            return LocalDate.ofInstant(t, clock.getZone()).toString();
        }
        return past ? amount + " ago" : "in " + amount;
    }

    /** Rounds to the nearest unit, so a token created just now "in 30d" reads "in 30 days", not "in 29 days". */
    private static long nearest(long seconds, long unit) {
        return (seconds + unit / 2) / unit;
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }
}
