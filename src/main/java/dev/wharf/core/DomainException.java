package dev.wharf.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A failure the domain reports to whoever called it. Each API dialect maps these to its own status codes and error
 * bodies in one place; the domain never knows about JSON shapes.
 */
public abstract class DomainException extends RuntimeException {

    protected DomainException(String message) {
        super(message, null, false, false);
    }

    /** The thing does not exist, or the caller may not know that it exists. */
    public static final class NotFound extends DomainException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The caller is known but not allowed to do this. */
    public static final class Forbidden extends DomainException {
        public Forbidden(String message) {
            super(message);
        }
    }

    /** The request conflicts with the current state, e.g. a name that is taken. */
    public static final class Conflict extends DomainException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** Input failed validation; carries messages per field. */
    public static final class Invalid extends DomainException {
        private final Map<String, List<String>> fields;

        public Invalid(String summary, Map<String, List<String>> fields) {
            super(summary);
            this.fields = Map.copyOf(fields);
        }

        public Invalid(String field, String message) {
            this(message, Map.of(field, List.of(message)));
        }

        public Map<String, List<String>> fields() {
            return new LinkedHashMap<>(fields);
        }
    }

    /** No credentials, or credentials that do not authenticate. The message is safe to show. */
    public static final class Unauthenticated extends DomainException {
        public Unauthenticated(String message) {
            super(message);
        }
    }

    /** Too many attempts; the caller should wait {@code retryAfterSeconds}. */
    public static final class RateLimited extends DomainException {
        private final int limit;
        private final long retryAfterSeconds;
        private final long resetEpochSecond;

        public RateLimited(int limit, long retryAfterSeconds, long resetEpochSecond) {
            super("Rate limit exceeded");
            this.limit = limit;
            this.retryAfterSeconds = retryAfterSeconds;
            this.resetEpochSecond = resetEpochSecond;
        }

        public int limit() {
            return limit;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        public long resetEpochSecond() {
            return resetEpochSecond;
        }
    }
}
