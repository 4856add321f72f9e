package dev.wharf.registry;

import java.util.List;

/** Media-type negotiation for manifest GET and HEAD. */
final class Accept {
    private Accept() {
    }

    /**
     * Whether the {@code Accept} headers admit {@code mediaType}. No header, or one with a wildcard, admits
     * everything; a type listed with {@code q=0} is refused.
     */
    static boolean allows(List<String> headers, String mediaType) {
        boolean any = false;
        for (String header : headers) {
            for (String part : header.split(",", -1)) {
                String[] pieces = part.split(";", -1);
                String type = pieces[0].trim().toLowerCase(java.util.Locale.ROOT);
                if (type.isEmpty()) {
                    continue;
                }
                any = true;
                boolean refused = false;
                for (int i = 1; i < pieces.length; i++) {
                    String p = pieces[i].trim().replace(" ", "");
                    if (p.equals("q=0") || p.matches("q=0(\\.0{0,3})?")) {
                        refused = true;
                    }
                }
                if (!refused && (type.equals(mediaType) || type.equals("*/*") || type.equals("application/*"))) {
                    return true;
                }
            }
        }
        return !any;
    }
}
