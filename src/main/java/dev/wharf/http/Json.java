package dev.wharf.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.core.JsonDocuments;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** JSON as the dialects write it. Request bodies are read through {@link Requests#body}. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonDocuments.MAPPER;
    /** RFC 3339 UTC with microseconds, e.g. {@code 2021-07-20T12:00:00.000000Z}, as Docker Hub writes times. */
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private Json() {
    }

    public static String time(OffsetDateTime t) {
        return t == null ? null : MICROS.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** Serialises a response body; the mapper cannot fail on the maps and records Wharf writes. */
    public static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a response body", e);
        }
    }
}
