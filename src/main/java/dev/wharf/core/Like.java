package dev.wharf.core;

import java.util.Locale;

/** SQL {@code LIKE} patterns from what clients type, with {@code !} as the escape: {@code LIKE :p ESCAPE '!'}. */
public final class Like {
    private Like() {
    }

    /** The pattern of text containing {@code s}, ignoring case (compare with {@code LOWER(column)}). */
    public static String containing(String s) {
        return "%" + s.toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }
}
