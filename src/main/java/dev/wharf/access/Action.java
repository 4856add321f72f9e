package dev.wharf.access;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a caller may do to a repository. The names are the token-auth spec's. */
public enum Action {
    PULL, PUSH, DELETE;

    public static final Set<Action> ALL = EnumSet.allOf(Action.class);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The actions a comma-separated list names; {@code *} means all, unknown names are ignored. */
    public static EnumSet<Action> parseList(String list) {
        EnumSet<Action> out = EnumSet.noneOf(Action.class);
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            String name = list.substring(start, end).trim();
            if (name.equals("*")) {
                out.addAll(ALL);
            }
            for (Action action : values()) {
                if (action.wireName().equals(name)) {
                    out.add(action);
                }
            }
            start = end + 1;
        }
        return out;
    }
}
