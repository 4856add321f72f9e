package dev.wharf.credentials;

import java.util.List;

/**
 * What a personal token may do, in Wharf's own names; each dialect shows them in its vendor's words (see the
 * README's scope table). The repository scopes are ordered, weakest first, and a higher one implies every lower one;
 * the management scopes stand alone.
 */
public enum Scope {
    /** Pull public repositories. */
    REPO_PUBLIC_READ("repo:public_read"),
    /** Pull every repository the owner may pull. */
    REPO_READ("repo:read"),
    /** Also push. */
    REPO_WRITE("repo:write"),
    /** Also delete. */
    REPO_ADMIN("repo:admin"),
    /** Manage credentials through the management APIs (GitLab, IONOS). */
    API("api"),
    /** Read credentials through the management APIs. */
    READ_API("read_api"),
    /** Rotate the token itself. */
    SELF_ROTATE("self_rotate");

    public static final List<Scope> REPOSITORY = List.of(REPO_PUBLIC_READ, REPO_READ, REPO_WRITE, REPO_ADMIN);

    private static final Scope[] ALL = values();

    private final String wireName;

    Scope(String wireName) {
        this.wireName = wireName;
    }

    /** The stored name. */
    public String wireName() {
        return wireName;
    }

    public boolean isRepository() {
        return REPOSITORY.contains(this);
    }

    /** For repository scopes: whether this one includes {@code other}. */
    public boolean implies(Scope other) {
        return isRepository() && other.isRepository() && compareTo(other) >= 0;
    }

    /** The scope stored as {@code value}, or null. */
    public static Scope parse(String value) {
        for (Scope s : ALL) {
            if (s.wireName.equals(value)) {
                return s;
            }
        }
        return null;
    }

    /** The strongest repository scope among {@code scopes}, or null when there is none. */
    public static Scope strongestRepository(List<Scope> scopes) {
        Scope highest = null;
        for (Scope s : scopes) {
            if (s.isRepository() && (highest == null || s.compareTo(highest) > 0)) {
                highest = s;
            }
        }
        return highest;
    }
}
