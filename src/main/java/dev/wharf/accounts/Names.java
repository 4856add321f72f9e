package dev.wharf.accounts;

import java.util.Set;
import java.util.regex.Pattern;

/** Docker ID rules for user and organization names, which share one namespace. */
public final class Names {
    /**
     * The namespace of the official images, which Docker clients pull as {@code library/<repo>}. Reserved like the
     * Hub's path segments, except that a site admin may create the organization of this name to publish them.
     */
    public static final String OFFICIAL_NAMESPACE = "library";

    private static final Pattern VALID = Pattern.compile("[a-z0-9]{4,30}");

    /**
     * The first path segments of the Hub API under {@code /v2/}. No account may take one of these names, so a
     * registry path {@code /v2/<namespace>/<repo>/...} can never be mistaken for a Hub route; nor the first segments
     * of the other dialects' path spaces.
     */
    public static final Set<String> RESERVED = Set.of(
            "users", "auth", "access", "accesstokens", "auditlogs", "orgs", "organizations", "namespaces",
            "repositories", "invites", "scim", "search", "catalog", OFFICIAL_NAMESPACE, "root", "wharf",
            "token", "tokens", "login", "logout", "healthz", "readyz", "metrics", "api", "help", "support", "hub",
            "docker", "registry", "teams", "groups", "settings", "user", "none", "null", "public", "private",
            "containerregistries");

    private Names() {
    }

    /** Returns null when the name is acceptable, else a message suitable for a validation error. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "This field is required.";
        }
        if (!VALID.matcher(name).matches()) {
            return "Must be 4 to 30 characters, lowercase letters and digits only.";
        }
        if (RESERVED.contains(name)) {
            return "This name is reserved.";
        }
        return null;
    }

    /**
     * {@link #problem}, for the name of an organization created by {@code creator}: only a site admin may take the
     * official images' namespace.
     */
    public static String orgProblem(String name, Account creator) {
        return OFFICIAL_NAMESPACE.equals(name) && creator.siteAdmin() ? null : problem(name);
    }

    /** Whether an account of this name may exist: an acceptable name, or the official images' organization. */
    static boolean mayExist(String name) {
        return OFFICIAL_NAMESPACE.equals(name) || problem(name) == null;
    }
}
