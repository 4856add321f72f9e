package dev.wharf.core;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;

/**
 * Strict, bounded reading of JSON documents (request bodies, manifests, image configs) into records, and the one
 * mapper that every response is written with.
 *
 * <p>Bodies are bound to records, never to trees: the fields a record does not declare are skipped as they stream
 * by, so what a body costs in memory is the record, not the document. The parser's limits (nesting depth, tokens,
 * string and name length) hold for every document read, and the byte count is capped before parsing starts (see
 * {@link #read}). A body that breaks a limit is refused with a 4xx; none can run the heap out.
 */
public final class JsonDocuments {
    /** Deep enough for any manifest or request Wharf reads; a document nested deeper is an attack, not data. */
    public static final int MAX_DEPTH = 32;
    /** The tokens a document may hold; a manifest of ten thousand layers needs about a hundred thousand. */
    public static final long MAX_TOKENS = 200_000;
    private static final StreamReadConstraints LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxTokenCount(MAX_TOKENS)
            .maxStringLength(1 << 20)
            .maxNameLength(1024)
            .maxNumberLength(32)
            .build();

    /** The mapper for responses and for reading bounded documents; never used on unbounded input. */
    public static final ObjectMapper MAPPER = strict(JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(LIMITS).enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()))
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private JsonDocuments() {
    }

    /**
     * Strict binding: no coercion between JSON types (a number is not a string, {@code "yes"} is not a boolean), no
     * null items in lists, unknown fields ignored, nothing after the document.
     */
    private static ObjectMapper strict(JsonMapper.Builder builder) {
        ObjectMapper mapper = builder
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .withConfigOverride(List.class, o -> o.setSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL)))
                .build();
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /**
     * Reads a document of at most {@code maxBytes} bytes into {@code type}.
     *
     * @throws DomainException.TooLarge when the document is longer than {@code maxBytes}
     * @throws Malformed                when it is not JSON, breaks a parser limit, or a field has the wrong type
     * @throws UncheckedIOException     when reading {@code in} fails (a client that went away)
     */
    public static <T> T read(InputStream in, long maxBytes, Class<T> type) {
        try (InputStream bounded = new YieldingInputStream(new BoundedInputStream(in, maxBytes))) {
            T value = MAPPER.readValue(bounded, type);
            if (value == null) {
                throw new Malformed(List.of(), "Expected a JSON object.");
            }
            return value;
        } catch (BoundedInputStream.LimitExceeded e) {
            throw tooLarge(maxBytes);
        } catch (MismatchedInputException e) {
            throw new Malformed(e.getPath(), expectation(e));
        } catch (StreamConstraintsException e) {
            throw new Malformed(List.of(), "The JSON document exceeds a parser limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof BoundedInputStream.LimitExceeded) {
                throw tooLarge(maxBytes);
            }
            throw new Malformed(List.of(), "Malformed JSON.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads an in-memory document (a manifest, an image config) into {@code type}, with the same limits. */
    public static <T> T read(byte[] document, Class<T> type) {
        if (document.length <= SLICE_BYTES) {
            return read(new java.io.ByteArrayInputStream(document), document.length, type);
        }
        return CpuBound.call(() -> read(new java.io.ByteArrayInputStream(document), document.length, type));
    }

    /** Parsing this much takes a millisecond or so: the most a request computes before others get a turn. */
    private static final int SLICE_BYTES = 64 * 1024;

    /** Gives up the carrier after each {@link #SLICE_BYTES} the parser takes, so a large body is parsed in turns. */
    private static final class YieldingInputStream extends java.io.FilterInputStream {
        private long sinceYield;

        YieldingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            counted(1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            counted(n);
            return n;
        }

        private void counted(int n) {
            if (n > 0 && (sinceYield += n) >= SLICE_BYTES) {
                sinceYield = 0;
                CpuBound.yieldCarrier();
            }
        }
    }

    /**
     * A document that is not what was expected. {@link #field} is the top-level field at fault (null for the
     * document as a whole), {@link #path} where exactly (e.g. {@code layers[3].size}), {@link #getMessage} what is
     * wrong, in the words Docker Hub uses for the same mistakes.
     */
    public static final class Malformed extends RuntimeException {
        private final String field;
        private final String path;

        Malformed(List<JsonMappingException.Reference> at, String problem) {
            super(problem, null, false, false);
            this.field = at.isEmpty() ? null : at.get(0).getFieldName();
            StringBuilder p = new StringBuilder();
            for (JsonMappingException.Reference r : at) {
                if (r.getFieldName() != null) {
                    p.append(p.length() == 0 ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    p.append('[').append(r.getIndex()).append(']');
                }
            }
            this.path = p.toString();
        }

        public String field() {
            return field;
        }

        public String path() {
            return path;
        }
    }

    private static String expectation(MismatchedInputException e) {
        List<JsonMappingException.Reference> path = e.getPath();
        if (path.isEmpty()) {
            return "Expected a JSON object.";
        }
        Class<?> target = e.getTargetType();
        if (path.size() > 1 && path.get(path.size() - 1).getIndex() >= 0 && target == String.class) {
            return "Each item must be a string.";
        } else if (target != null && Collection.class.isAssignableFrom(target)) {
            return "Expected a list of items.";
        } else if (target == Boolean.class || target == boolean.class) {
            return "Must be a valid boolean.";
        } else if (target == String.class) {
            return "Must be a string.";
        } else if (target != null && (Number.class.isAssignableFrom(target) || target.isPrimitive())) {
            return "A valid integer is required.";
        } else if (target != null && target.isRecord()) {
            return "Expected an object.";
        }
        return "Invalid value.";
    }

    public static DomainException.TooLarge tooLarge(long maxBytes) {
        return new DomainException.TooLarge(Reason.REQUEST,
                "The request body is larger than the limit of " + maxBytes + " bytes.", maxBytes);
    }

}
