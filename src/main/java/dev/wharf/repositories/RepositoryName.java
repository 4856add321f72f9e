package dev.wharf.repositories;

import java.util.regex.Pattern;

/**
 * A repository name as the OCI distribution spec defines it: path components of lowercase alphanumerics joined by
 * {@code .}, {@code _}, {@code __} or {@code -}, separated by {@code /}. Wharf also requires a namespace: the first
 * component is the user or organization that owns the repository. The grammar admits no {@code ..}, no empty
 * component and no leading slash, so a name can never reach outside its place in storage.
 */
public record RepositoryName(String value) {
    public static final int MAX_LENGTH = 255;
    /** The spec's {@code <name>} grammar (distribution-spec, "Pulling manifests"). */
    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    public static final String GRAMMAR = COMPONENT + "(?:/" + COMPONENT + ")*";
    private static final Pattern VALID = Pattern.compile(GRAMMAR);

    public RepositoryName {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why {@code value} is not a repository name, or null when it is one. */
    public static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "repository name missing";
        }
        if (value.length() > MAX_LENGTH) {
            return "repository name longer than " + MAX_LENGTH + " characters";
        }
        if (!VALID.matcher(value).matches()) {
            return "invalid repository name";
        }
        if (value.indexOf('/') < 0) {
            return "repository name must start with a namespace: <namespace>/<repository>";
        }
        return null;
    }

    /** Whether {@code value} follows the spec's grammar and only lacks Wharf's namespace ({@code library-less}). */
    public static boolean lacksOnlyNamespace(String value) {
        return value != null && value.length() <= MAX_LENGTH && VALID.matcher(value).matches()
                && value.indexOf('/') < 0;
    }

    /** The user or organization the repository belongs to. */
    public String namespace() {
        return value.substring(0, value.indexOf('/'));
    }

    @Override
    public String toString() {
        return value;
    }
}
