package dev.wharf.registry;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A single HTTP byte range ({@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}), as blob GETs accept. */
final class ByteRange {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private ByteRange() {
    }

    /**
     * The inclusive {@code [first, last]} a Range header selects in a blob of {@code size} bytes; an empty array to
     * serve the whole blob (a header this server does not interpret, such as several ranges); null when the range is
     * not satisfiable (416).
     */
    static long[] parse(String header, long size) {
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new long[0];
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0 || size == 0) {
                    return null;
                }
                return new long[] {Math.max(0, size - suffix), size - 1};
            }
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (first >= size || last < first) {
                return null;
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
