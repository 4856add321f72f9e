package dev.wharf.core;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Timestamps as the database stores them: UTC, microsecond precision (PostgreSQL's resolution). */
public final class Timestamps {
    private Timestamps() {
    }

    public static OffsetDateTime now(Clock clock) {
        return at(clock.instant());
    }

    public static OffsetDateTime at(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }
}
