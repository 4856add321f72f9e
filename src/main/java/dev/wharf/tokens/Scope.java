package dev.wharf.tokens;

/**
 * Personal access token scopes, weakest first. A higher scope implies every lower one, so a token's power is the
 * highest scope it was given.
 */
public enum Scope {
    PUBLIC_READ("repo:public_read"),
    READ("repo:read"),
    WRITE("repo:write"),
    ADMIN("repo:admin");

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean implies(Scope other) {
        return compareTo(other) >= 0;
    }

    private static final Scope[] ALL = values();

    /** The scope named {@code value}, or null. */
    public static Scope parse(String value) {
        for (Scope s : ALL) {
            if (s.wireName.equals(value)) {
                return s;
            }
        }
        return null;
    }
}
