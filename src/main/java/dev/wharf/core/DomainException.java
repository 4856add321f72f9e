package dev.wharf.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one family of failures the domain reports to whoever called it. Each API dialect maps these to its own status
 * codes and error bodies in one place; the domain never knows about JSON shapes or status codes. The message is safe
 * to show to the client: it never holds a secret.
 */
public abstract class DomainException extends RuntimeException {
    private final Reason reason;

    protected DomainException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The thing does not exist, or the caller may not know that it exists. */
    public static final class NotFound extends DomainException {
        public NotFound(String message) {
            this(Reason.GENERIC, message);
        }

        public NotFound(Reason reason, String message) {
            super(reason, message);
        }
    }

    /** The caller is known but not allowed to do this. */
    public static final class Forbidden extends DomainException {
        public Forbidden(String message) {
            super(Reason.GENERIC, message);
        }

        public Forbidden(Reason reason, String message) {
            super(reason, message);
        }
    }

    /** The request conflicts with the current state: a name that is taken, a chunk for the wrong offset. */
    public static final class Conflict extends DomainException {
        public Conflict(String message) {
            this(Reason.GENERIC, message);
        }

        public Conflict(Reason reason, String message) {
            super(reason, message);
        }
    }

    /** Input failed validation; carries messages per field. */
    public static final class Invalid extends DomainException {
        private final Map<String, List<String>> fields;

        public Invalid(String summary, Map<String, List<String>> fields) {
            this(Reason.GENERIC, summary, fields);
        }

        private Invalid(Reason reason, String summary, Map<String, List<String>> fields) {
            super(reason, summary);
            this.fields = Map.copyOf(fields);
        }

        public Invalid(String field, String message) {
            this(message, Map.of(field, List.of(message)));
        }

        /** A field's invalid value, for which dialects that name the reason have their own words. */
        public Invalid(Reason reason, String field, String message) {
            super(reason, message);
            this.fields = Map.of(field, List.of(message));
        }

        /** An invalid value that is not a form field: a digest, a tag, a manifest. */
        public Invalid(Reason reason, String message) {
            super(reason, message);
            this.fields = Map.of();
        }

        public Map<String, List<String>> fields() {
            return new LinkedHashMap<>(fields);
        }

        /** The same failure with its fields named as a dialect names them ({@code names}: domain to dialect). */
        public Invalid renamed(Map<String, String> names) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            fields.forEach((field, messages) -> out.put(names.getOrDefault(field, field), messages));
            String summary = getMessage();
            for (Map.Entry<String, String> name : names.entrySet()) {
                if (summary.startsWith(name.getKey() + ": ")) {
                    summary = name.getValue() + summary.substring(name.getKey().length());
                }
            }
            return new Invalid(reason(), summary, out);
        }
    }

    /** No credentials, or credentials that do not authenticate. */
    public static final class Unauthenticated extends DomainException {
        public Unauthenticated(String message) {
            super(Reason.GENERIC, message);
        }
    }

    /** Too many attempts; the caller should wait {@code retryAfterSeconds}. */
    public static final class RateLimited extends DomainException {
        private final int limit;
        private final long retryAfterSeconds;
        private final long resetEpochSecond;

        public RateLimited(int limit, long retryAfterSeconds, long resetEpochSecond) {
            super(Reason.GENERIC, "Rate limit exceeded");
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

    /** What was sent is larger than the limit ({@code limitBytes}) for it. */
    public static final class TooLarge extends DomainException {
        private final long limitBytes;

        public TooLarge(Reason reason, String message, long limitBytes) {
            super(reason, message);
            this.limitBytes = limitBytes;
        }

        public long limitBytes() {
            return limitBytes;
        }
    }

    /**
     * Something the request needs is out of service for now (the database, free disk space); the same request can
     * succeed later, and the caller should wait {@code retryAfterSeconds} before trying again.
     */
    public static final class Unavailable extends DomainException {
        private final long retryAfterSeconds;

        public Unavailable(Reason reason, String message, long retryAfterSeconds) {
            super(reason, message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
