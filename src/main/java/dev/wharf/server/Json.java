package dev.wharf.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.wharf.core.DomainException;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The shared Jackson mapper and request-body helpers that report bad input as validation errors. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** RFC 3339 UTC with microseconds, e.g. {@code 2021-07-20T12:00:00.000000Z}, as Docker Hub writes times. */
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private Json() {
    }

    /** The request body as a JSON object; anything else is a validation error on {@code field "body"}. */
    public static JsonNode object(Context ctx) {
        JsonNode node;
        try {
            node = MAPPER.readTree(ctx.bodyInputStream());
        } catch (IOException e) {
            throw new DomainException.Invalid("body", "Malformed JSON.");
        }
        if (node == null || !node.isObject()) {
            throw new DomainException.Invalid("body", "Expected a JSON object.");
        }
        return node;
    }

    /** A string field, or null when absent or JSON null; any other type is a validation error. */
    public static String string(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new DomainException.Invalid(field, "Must be a string.");
        }
        return value.asText();
    }

    public static String time(OffsetDateTime t) {
        return t == null ? null : MICROS.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
