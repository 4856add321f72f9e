package dev.wharf.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of request paths, checked strictly: every {@code %} is followed by two hex digits, the decoded
 * bytes are UTF-8, and nothing decodes to a character that would change how the path splits ({@code /}, {@code \},
 * NUL) or that no route can use (other control characters). {@code %uXXXX} is not an encoding. A path that breaks
 * these rules is refused with a 400 before any handler sees it.
 */
public final class PathEncoding {
    private PathEncoding() {
    }

    /** Why the raw path is malformed, or null when it is well formed. */
    public static String problem(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return "the path must start with /";
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "the path contains a character that must be percent-encoded";
            }
        }
        try {
            String decoded = decodeStrict(rawPath);
            for (int i = 0; i < decoded.length(); i++) {
                char c = decoded.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    return "the path encodes a control character";
                }
            }
            if (rawPath.contains("%2F") || rawPath.contains("%2f") || rawPath.contains("%5C")
                    || rawPath.contains("%5c")) {
                return "the path encodes a path separator";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The decoded form of a raw path segment that {@link #problem} accepted. */
    public static String decode(String raw) {
        return raw.indexOf('%') < 0 ? raw : decodeStrict(raw);
    }

    private static String decodeStrict(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                if (c > 0x7f) {
                    throw new IllegalArgumentException("the path contains a character that is not percent-encoded");
                }
                bytes.put((byte) c);
                continue;
            }
            if (i + 2 >= raw.length()) {
                throw new IllegalArgumentException("the path ends in an incomplete percent escape");
            }
            int high = Character.digit(raw.charAt(i + 1), 16);
            int low = Character.digit(raw.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("the path has a malformed percent escape");
            }
            bytes.put((byte) (high << 4 | low));
            i += 2;
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the path's percent escapes are not UTF-8");
        }
    }
}
