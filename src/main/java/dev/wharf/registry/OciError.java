package dev.wharf.registry;

/**
 * Every error the registry answers with, defined once: HTTP status, code and default message. The spec requires every
 * code to be one of its fourteen; where it has no code for a case (a bad page size, an unsatisfiable range, a
 * malformed tag) the closest of those is used and the detail says what is wrong. Outages use distribution's own
 * {@code UNAVAILABLE} and {@code UNKNOWN}. Handlers never choose a status.
 */
enum OciError {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    /** A chunk that does not continue the upload where it ends: 416 per the spec, with the upload's Range. */
    BLOB_UPLOAD_OUT_OF_ORDER(416, "BLOB_UPLOAD_INVALID", "chunk out of order"),
    /** A Range that selects nothing in the blob. */
    RANGE_INVALID(416, "SIZE_INVALID", "requested range not satisfiable"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_TOO_LARGE(413, "MANIFEST_INVALID", "manifest too large"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    /** A manifest pushed under a tag that is not a valid tag. */
    TAG_INVALID(400, "MANIFEST_INVALID", "invalid tag"),
    PAGINATION_NUMBER_INVALID(400, "UNSUPPORTED", "invalid number of results requested"),
    /** A request the registry cannot parse at all: a malformed path, a scope list that is too long. */
    BAD_REQUEST(400, "UNSUPPORTED", "malformed request"),
    TOO_MANY_SCOPES(400, "UNSUPPORTED", "too many scopes requested"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    /**
     * {@code /token} refusing a pull that an organization's restricted-images policy forbids. 401, not 403: skopeo
     * and podman (containers/image) print the message of a 401 from the token endpoint ("unable to retrieve auth
     * token: invalid username/password: denied: pull of … refused: …") but of a 403 only "invalid status code from
     * registry 403 (Forbidden)"; docker's client reads the body of either.
     */
    PULL_RESTRICTED(401, "DENIED", "pull refused by an organization's restricted-images policy"),
    UNSUPPORTED(405, "the operation is unsupported"),
    /** The client stopped sending its body, or sent it more slowly than the server accepts. */
    REQUEST_TIMEOUT(408, "BLOB_UPLOAD_INVALID", "request body did not arrive in time"),
    CONFLICT(409, "UNSUPPORTED", "the request conflicts with the repository's state"),
    REQUEST_TOO_LARGE(413, "SIZE_INVALID", "request too large"),
    TOOMANYREQUESTS(429, "too many requests"),
    NOT_FOUND(404, "UNSUPPORTED", "no such endpoint"),
    UNKNOWN(500, "unknown error"),
    /** Distribution's code for an outage: here, the metadata database is unreachable. */
    UNAVAILABLE(503, "service unavailable"),
    /** No space is left for what a push sends. */
    INSUFFICIENT_STORAGE(507, "UNAVAILABLE", "insufficient storage");

    final int status;
    final String code;
    final String message;

    OciError(int status, String message) {
        this.status = status;
        this.code = name();
        this.message = message;
    }

    OciError(int status, String code, String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }
}
