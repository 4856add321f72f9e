package dev.wharf.registry;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a client may do to a repository, as the token-auth spec names it. */
enum Action {
    PULL, PUSH, DELETE;

    static final Set<Action> ALL = EnumSet.allOf(Action.class);

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The actions a comma-separated list names; {@code *} means all, unknown names are ignored. */
    static EnumSet<Action> parseList(String list) {
        EnumSet<Action> out = EnumSet.noneOf(Action.class);
        for (String a : list.split(",")) {
            String t = a.trim();
            if (t.equals("*")) {
                out.addAll(ALL);
            }
            for (Action action : values()) {
                if (action.wireName().equals(t)) {
                    out.add(action);
                }
            }
        }
        return out;
    }
}
