package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.DomainException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QueryTimesTest {

    private static Instant parse(String raw) {
        return QueryTimes.parse(raw, "from").toInstant();
    }

    @Test
    void everyFormClientsSendIsAccepted() {
        Instant expected = Instant.parse("2026-12-01T18:38:03.880941Z");
        // What clients generated from Docker's OpenAPI file send.
        assertThat(parse("2026-12-01T18:38:03.880941+0000")).isEqualTo(expected);
        assertThat(parse("2026-12-01T18:38:03.880941Z")).isEqualTo(expected);
        assertThat(parse("2026-12-01T18:38:03.880941+00:00")).isEqualTo(expected);
        assertThat(parse("2026-12-01T19:38:03.880941+01:00")).isEqualTo(expected);
        assertThat(parse("2026-12-01T20:38:03.880941+0200")).isEqualTo(expected);
        assertThat(parse("2026-12-01 18:38:03.880941Z")).isEqualTo(expected);
        assertThat(parse("2026-12-01T18:38:03.880941 0000")).as("an unencoded + in a query").isEqualTo(expected);
        assertThat(parse("2026-12-01T18:38:03Z")).isEqualTo(Instant.parse("2026-12-01T18:38:03Z"));
        assertThat(parse("2026-12-01T18:38:03.5Z")).isEqualTo(Instant.parse("2026-12-01T18:38:03.500Z"));
        assertThat(parse("2026-12-01T18:38:03.123456789Z")).isEqualTo(Instant.parse("2026-12-01T18:38:03.123456789Z"));
        assertThat(parse("2026-12-01T18:38Z")).isEqualTo(Instant.parse("2026-12-01T18:38:00Z"));
        assertThat(parse("2026-12-01T18:38:03")).isEqualTo(Instant.parse("2026-12-01T18:38:03Z"));
        assertThat(parse("2026-12-01")).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(QueryTimes.parse("  ", "from")).isNull();
        assertThat(QueryTimes.parse(null, "from")).isNull();
    }

    @Test
    void anythingElseIsAValidationErrorOnTheField() {
        for (String bad : new String[] {"yesterday", "2026-13-01", "2026-12-01T25:00:00Z", "1733078400",
                "2026-12-01T18:38:03+0000junk", "9".repeat(100)}) {
            assertThatThrownBy(() -> QueryTimes.parse(bad, "to")).as(bad)
                    .isInstanceOfSatisfying(DomainException.Invalid.class,
                            e -> assertThat(e.fields()).containsKey("to"));
        }
    }
}
