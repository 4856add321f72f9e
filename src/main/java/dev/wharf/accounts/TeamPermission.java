package dev.wharf.accounts;

import java.util.Locale;

/** What a team may do on one repository of its organization; each includes the ones before it. */
public enum TeamPermission {
    READ, WRITE, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The permission named {@code value} (read, write, admin), or null when there is no such permission. */
    public static TeamPermission parse(String value) {
        for (TeamPermission permission : values()) {
            if (permission.wireName().equals(value)) {
                return permission;
            }
        }
        return null;
    }
}
