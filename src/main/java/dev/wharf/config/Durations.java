package dev.wharf.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses human durations such as {@code 90s}, {@code 15m}, {@code 24h}, {@code 30d}, {@code 2w}, or ISO-8601
 * {@code PT24H}. The server's configuration and the command line read durations the same way.
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})([smhdw])");

    private Durations() {
    }

    public static Duration parse(String raw) {
        return shortForm(raw).orElseGet(() -> Duration.parse(raw.trim()));
    }

    /** The duration written as a number and a unit ({@code s m h d w}), or empty for anything else. */
    public static Optional<Duration> shortForm(String raw) {
        Matcher m = SHORT.matcher(raw.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        });
    }
}
