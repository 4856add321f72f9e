package dev.wharf.accounts;

import java.util.Locale;

/** A member's role in an organization; each role includes the powers of the ones before it. */
public enum Role {
    MEMBER, EDITOR, OWNER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code value} (owner, editor, member), or null when there is no such role. */
    public static Role parse(String value) {
        for (Role role : values()) {
            if (role.wireName().equals(value)) {
                return role;
            }
        }
        return null;
    }

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }
}
