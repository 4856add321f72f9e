package dev.wharf.core;

/**
 * What exactly a {@link DomainException} is about, in the domain's own words. A dialect that distinguishes more cases
 * than the exception's class (the registry has a code for each of these) reads it; the others ignore it.
 */
public enum Reason {
    /** Nothing more specific than the exception's class. */
    GENERIC,
    /** No repository has this name. */
    REPOSITORY_UNKNOWN,
    /** The repository name breaks the naming rules. */
    REPOSITORY_NAME,
    /** The repository (or the store) does not hold this blob. */
    BLOB_UNKNOWN,
    /** The repository holds no manifest under this tag or digest. */
    MANIFEST_UNKNOWN,
    /** A manifest names a blob the repository does not hold. */
    MANIFEST_BLOB_UNKNOWN,
    /** A manifest that cannot be stored: not parseable, of an unsupported type, or too large. */
    MANIFEST_INVALID,
    /** A digest that is malformed, unsupported, or not the content's. */
    DIGEST_INVALID,
    /** A tag that breaks the tag grammar. */
    TAG_INVALID,
    /** The tag is immutable: it may not move to another manifest or be deleted. */
    TAG_IMMUTABLE,
    /** No upload session has this id. */
    UPLOAD_UNKNOWN,
    /** A chunk that does not continue its upload where the upload ends. */
    UPLOAD_OFFSET,
    /** A request that is malformed or too large: its path, a header, its body. */
    REQUEST,
    /** The metadata database cannot be reached. */
    DATABASE,
    /** There is no space left to store what was sent. */
    STORAGE_FULL,
    /** The credential was revoked (or rotated) and cannot be changed back or rotated again. */
    CREDENTIAL_REVOKED,
    /** Credentials must expire, and none was given. */
    EXPIRY_REQUIRED,
    /** The expiry is later than the longest lifetime credentials may have. */
    EXPIRY_TOO_LATE,
    /** The expiry is not in the future. */
    EXPIRY_PAST,
    /** The owner holds as many live credentials as it may. */
    CREDENTIAL_LIMIT,
    /** The name is already used by another credential of the owner. */
    NAME_TAKEN
}
