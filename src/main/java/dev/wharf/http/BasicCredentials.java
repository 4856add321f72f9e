package dev.wharf.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The user and secret of {@code Authorization: Basic} (RFC 7617): the user is everything before the first colon.
 * Every dialect that takes Basic reads it here and answers a malformed one in its own shape.
 */
public record BasicCredentials(String user, String secret) {

    /** The credentials {@code base64} encodes, or empty when it is not base64 of {@code user:secret}. */
    public static Optional<BasicCredentials> decode(String base64) {
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = pair.indexOf(':');
        return colon < 0 ? Optional.empty()
                : Optional.of(new BasicCredentials(pair.substring(0, colon), pair.substring(colon + 1)));
    }

    /** Never the secret, should one of these end up in a log line. */
    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + "]";
    }
}
