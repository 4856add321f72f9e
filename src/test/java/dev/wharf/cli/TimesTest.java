package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TimesTest {
    private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");
    private static final Clock UTC = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Clock PARIS = Clock.fixed(NOW, ZoneId.of("Europe/Paris"));

    @Test
    void durationsCountFromNowForwardOrBack() {
        assertThat(Times.parse("30d", "--expires", UTC, true)).isEqualTo(NOW.plus(Duration.ofDays(30)));
        assertThat(Times.parse("2w", "--expires", UTC, true)).isEqualTo(NOW.plus(Duration.ofDays(14)));
        assertThat(Times.parse("12H", "--from", UTC, false)).isEqualTo(NOW.minus(Duration.ofHours(12)));
        assertThat(Times.parse("45m", "--from", UTC, false)).isEqualTo(NOW.minus(Duration.ofMinutes(45)));
        assertThat(Times.parse("90s", "--from", UTC, false)).isEqualTo(NOW.minus(Duration.ofSeconds(90)));
    }

    @Test
    void datesAreMidnightInTheLocalZone() {
        assertThat(Times.parse("2027-01-01", "--expires", UTC, true)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(Times.parse("2027-01-01", "--expires", PARIS, true))
                .isEqualTo(Instant.parse("2026-12-31T23:00:00Z"));
    }

    @Test
    void rfc3339AndLocalDateTimes() {
        assertThat(Times.parse("2027-01-01T12:00:00Z", "--to", PARIS, false))
                .isEqualTo(Instant.parse("2027-01-01T12:00:00Z"));
        assertThat(Times.parse("2027-01-01T12:00:00+02:00", "--to", UTC, false))
                .isEqualTo(Instant.parse("2027-01-01T10:00:00Z"));
        assertThat(Times.parse("2027-01-01t12:00:00z", "--to", UTC, false))
                .isEqualTo(Instant.parse("2027-01-01T12:00:00Z"));
        assertThat(Times.parse("2027-01-01T12:00", "--to", PARIS, false))
                .isEqualTo(Instant.parse("2027-01-01T11:00:00Z"));
    }

    @Test
    void anythingElseIsAUsageErrorNamingTheOption() {
        for (String bad : new String[] {"", "tomorrow", "30", "30y", "2027-13-01", "2027-01-01T25:00:00Z", "-5d"}) {
            assertThatThrownBy(() -> Times.parse(bad, "--expires", UTC, true))
                    .isInstanceOfSatisfying(CliException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(2);
                        assertThat(e.getMessage()).startsWith("invalid time '" + bad + "' for --expires: use");
                    });
        }
    }

    @Test
    void wireFormIsRfc3339Utc() {
        assertThat(Times.wire(Instant.parse("2027-01-01T00:00:00.123Z"))).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(Times.fromApi("2021-07-20T12:00:00.000000Z")).isEqualTo(Instant.parse("2021-07-20T12:00:00Z"));
        assertThat(Times.fromApi(null)).isNull();
        assertThat(Times.fromApi("garbage")).isNull();
    }

    @Test
    void absoluteTimesNameTheirZone() {
        assertThat(Times.absolute(NOW, UTC)).isEqualTo("2026-11-22 06:00:00 UTC");
        assertThat(Times.absolute(NOW, PARIS)).isEqualTo("2026-11-22 07:00:00 CET");
    }

    @Test
    void relativeTimesReadNaturally() {
        assertThat(Times.relative(NOW.minusSeconds(5), UTC)).isEqualTo("just now");
        assertThat(Times.relative(NOW.plusSeconds(5), UTC)).isEqualTo("in less than a minute");
        assertThat(Times.relative(NOW.minusSeconds(60), UTC)).isEqualTo("1 minute ago");
        assertThat(Times.relative(NOW.minusSeconds(59 * 60), UTC)).isEqualTo("59 minutes ago");
        assertThat(Times.relative(NOW.minus(Duration.ofHours(3)), UTC)).isEqualTo("3 hours ago");
        assertThat(Times.relative(NOW.minus(Duration.ofHours(47)), UTC)).isEqualTo("47 hours ago");
        assertThat(Times.relative(NOW.minus(Duration.ofDays(2)), UTC)).isEqualTo("2 days ago");
        assertThat(Times.relative(NOW.plus(Duration.ofDays(30)), UTC)).isEqualTo("in 30 days");
        assertThat(Times.relative(NOW.plus(Duration.ofDays(30)).minusSeconds(7), UTC)).isEqualTo("in 30 days");
        assertThat(Times.relative(Instant.parse("2024-03-01T00:00:00Z"), UTC)).isEqualTo("2024-03-01");
    }
}
