package dev.wharf.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The public secret format: a kind prefix ({@code wharf_pat_} for personal tokens, {@code wharf_oat_} for robots) +
 * 36 base62 characters (~214 bits) + a 6-character base62 CRC32 of
 * the 46 characters before it. Secret scanners can recognise a Wharf token offline, and a mistyped or truncated
 * candidate is refused without a database lookup. Only the SHA-256 of a secret is ever stored.
 */
public final class TokenSecret {
    public static final String PAT_PREFIX = "wharf_pat_";
    public static final String ROBOT_PREFIX = "wharf_oat_";
    static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int RANDOM_CHARS = 36;
    private static final int CHECKSUM_CHARS = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecret() {
    }

    public static String generate(String prefix) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            sb.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
        }
        return sb.append(checksum(sb)).toString();
    }

    /** Whether {@code candidate} has the prefix, the length, the alphabet and a matching checksum. */
    public static boolean isWellFormed(String candidate, String prefix) {
        if (candidate == null || !candidate.startsWith(prefix)
                || candidate.length() != prefix.length() + RANDOM_CHARS + CHECKSUM_CHARS) {
            return false;
        }
        for (int i = prefix.length(); i < candidate.length(); i++) {
            if (BASE62.indexOf(candidate.charAt(i)) < 0) {
                return false;
            }
        }
        int split = candidate.length() - CHECKSUM_CHARS;
        return checksum(candidate.substring(0, split)).equals(candidate.substring(split));
    }

    /** Whether {@code candidate} looks like a secret of either kind (by prefix only; see {@link #isWellFormed}). */
    public static boolean hasKnownPrefix(String candidate) {
        return candidate != null && (candidate.startsWith(PAT_PREFIX) || candidate.startsWith(ROBOT_PREFIX));
    }

    /** The prefix of secrets of this kind. */
    public static String prefix(Credential.Kind kind) {
        return kind == Credential.Kind.ROBOT ? ROBOT_PREFIX : PAT_PREFIX;
    }

    static String checksum(CharSequence body) {
        CRC32 crc = new CRC32();
        crc.update(body.toString().getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_CHARS];
        for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
            out[i] = BASE62.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }

    /** Hex SHA-256, the form in which secrets are stored and looked up. */
    public static String sha256(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
