package dev.wharf.http;

import dev.wharf.core.DomainException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.regex.Pattern;

/**
 * Times as clients write them in query parameters and bodies: every ISO-8601 / RFC 3339 form seen in the wild.
 * {@code Z}, {@code +00:00} and {@code +0000} offsets (clients generated from Docker's OpenAPI file send the last),
 * fractional seconds of any precision, a space instead of {@code T}, a date alone (midnight UTC), and an offset whose
 * {@code +} a client forgot to percent-encode in a query string (it arrives as a space).
 */
public final class QueryTimes {
    private static final int MAX_LENGTH = 64;
    private static final Pattern SPACE_FOR_PLUS = Pattern.compile("(\\d) (\\d\\d:?\\d\\d)$");
    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter();

    private QueryTimes() {
    }

    /**
     * The instant {@code raw} names, or null when it is absent or blank. A time without an offset is UTC.
     *
     * @throws DomainException.Invalid on {@code field} when it is not a time
     */
    public static OffsetDateTime parse(String raw, String field) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        // A '+' that was not percent-encoded arrives as a space: "…:03.880941 0000" meant "+0000".
        String value = SPACE_FOR_PLUS.matcher(raw.trim()).replaceFirst("$1+$2");
        if (value.length() <= MAX_LENGTH) {
            try {
                if (value.length() == 10) {
                    return LocalDate.parse(value).atStartOfDay().atOffset(ZoneOffset.UTC);
                }
                var parsed = DATE_TIME.parse(value);
                ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
                        ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS)) : ZoneOffset.UTC;
                return LocalDateTime.from(parsed).atOffset(offset);
            } catch (DateTimeException e) {
                // falls through to the validation error
            }
        }
        throw new DomainException.Invalid(field,
                "Datetime has wrong format. Use RFC 3339, e.g. 2030-01-01T00:00:00Z.");
    }
}
