package dev.wharf.core;

import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.NullArgument;

/**
 * Typed SQL nulls. An untyped null is sent as VARCHAR, which PostgreSQL refuses for UUID, number and timestamp
 * columns.
 */
public final class Nulls {
    private Nulls() {
    }

    public static Object uuid(UUID value) {
        return value != null ? value : (Argument) new NullArgument(Types.OTHER);
    }

    public static Object timestamp(OffsetDateTime value) {
        return value != null ? value : (Argument) new NullArgument(Types.TIMESTAMP_WITH_TIMEZONE);
    }

    public static Object bigint(Long value) {
        return value != null ? value : (Argument) new NullArgument(Types.BIGINT);
    }

    public static Object text(String value) {
        return value != null ? value : (Argument) new NullArgument(Types.VARCHAR);
    }
}
