package dev.wharf.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses human durations such as {@code 90s}, {@code 15m}, {@code 24h}, {@code 30d}, or ISO-8601 {@code PT24H}. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*([smhd])");

    private Durations() {
    }

    public static Duration parse(String raw) {
        Matcher m = SIMPLE.matcher(raw.trim());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        return Duration.parse(raw.trim());
    }
}
