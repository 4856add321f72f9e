package dev.wharf.repositories;

/**
 * A registry failure the domain reports. Each {@link Kind} is one thing that can be wrong; a dialect maps kinds to its
 * own codes in one place. The message is safe to show to the client.
 */
public final class RepositoryException extends RuntimeException {

    /** What went wrong, independent of any protocol. */
    public enum Kind {
        NAME_UNKNOWN, BLOB_UNKNOWN, MANIFEST_UNKNOWN, MANIFEST_BLOB_UNKNOWN, MANIFEST_INVALID, MANIFEST_TOO_LARGE,
        DIGEST_INVALID, TAG_INVALID, UPLOAD_UNKNOWN, UPLOAD_OFFSET
    }

    private final Kind kind;

    public RepositoryException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
