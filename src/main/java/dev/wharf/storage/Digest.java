package dev.wharf.storage;

import java.util.regex.Pattern;

/**
 * A content digest {@code <algorithm>:<hex>}, as the OCI image spec defines it. Only SHA-256 is supported: it is the
 * only algorithm every client uses, and the blob store hashes uploads with it in the same pass as it writes them.
 *
 * @param hex the 64 lowercase hex characters of the SHA-256
 */
public record Digest(String hex) {
    public static final String ALGORITHM = "sha256";
    private static final Pattern HEX = Pattern.compile("[a-f0-9]{64}");
    /** The grammar of any digest (OCI image-spec descriptor.md), to tell "malformed" from "unsupported". */
    private static final Pattern ANY = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    public Digest {
        if (hex == null || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("not a sha256 hex string");
        }
    }

    /** Why {@code value} is not a usable digest, or null when it is one. */
    public static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "digest missing";
        }
        if (value.length() > 256 || !ANY.matcher(value).matches()) {
            return "invalid digest format";
        }
        if (!value.startsWith(ALGORITHM + ":")) {
            return "unsupported digest algorithm; only sha256 is supported";
        }
        if (!HEX.matcher(value.substring(ALGORITHM.length() + 1)).matches()) {
            return "a sha256 digest has 64 lowercase hex characters";
        }
        return null;
    }

    /** Whether {@code value} has the shape of a digest (contains a colon), as opposed to a tag. */
    public static boolean looksLikeDigest(String value) {
        return value != null && value.indexOf(':') >= 0;
    }

    /** Parses {@code sha256:<hex>}; call {@link #problem} first to report why a value is refused. */
    public static Digest parse(String value) {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Digest(value.substring(ALGORITHM.length() + 1));
    }

    public static Digest of(byte[] sha256) {
        return new Digest(java.util.HexFormat.of().formatHex(sha256));
    }

    @Override
    public String toString() {
        return ALGORITHM + ":" + hex;
    }
}
