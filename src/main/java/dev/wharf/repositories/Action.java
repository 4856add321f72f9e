package dev.wharf.repositories;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a caller may do to a repository; the names are the token-auth spec's. {@link #LIST} is a namespace's: see
 * the names of its private repositories (the catalogue, the Hub's repository lists).
 */
public enum Action {
    PULL, PUSH, DELETE, LIST;

    public static final Set<Action> ALL = EnumSet.allOf(Action.class);
    /** What a registry token may grant on one repository. */
    public static final Set<Action> REPOSITORY = EnumSet.of(PULL, PUSH, DELETE);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The repository actions a comma-separated list of a registry scope names; {@code *} means all of them, unknown
     * names (and {@code list}, which is not a registry token's) are ignored.
     */
    public static EnumSet<Action> parseList(String list) {
        EnumSet<Action> out = EnumSet.noneOf(Action.class);
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            String name = list.substring(start, end).trim();
            if (name.equals("*")) {
                out.addAll(REPOSITORY);
            }
            for (Action action : REPOSITORY) {
                if (action.wireName().equals(name)) {
                    out.add(action);
                }
            }
            start = end + 1;
        }
        return out;
    }
}
