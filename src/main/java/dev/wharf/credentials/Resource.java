package dev.wharf.credentials;

import dev.wharf.repositories.Action;
import dev.wharf.repositories.RepositoryName;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a robot credential may do somewhere: {@code actions} on the repositories a {@link Kind#REPOSITORY} glob
 * matches, or on every repository of a {@link Kind#NAMESPACE} (where {@link Action#LIST} also lets it see their
 * names). In a glob, {@code *} matches within one path component and {@code **} across components;
 * {@link #PUBLIC_REPOSITORIES} stands for every public repository, for pulling.
 */
public record Resource(Kind kind, String path, Set<Action> actions) {
    public static final String PUBLIC_REPOSITORIES = "*/*/public";
    public static final int MAX_PATH = 255;
    private static final Pattern GLOB = Pattern.compile("(?:[a-z0-9._-]|\\*{1,2})+(?:/(?:[a-z0-9._-]|\\*{1,2})+)*");

    public enum Kind { REPOSITORY, NAMESPACE }

    public Resource {
        actions = Set.copyOf(actions.isEmpty() ? EnumSet.noneOf(Action.class) : EnumSet.copyOf(actions));
    }

    /** Whether this resource names {@code repository} ({@code isPublic}: whether that repository is public). */
    public boolean covers(RepositoryName repository, boolean isPublic) {
        if (kind == Kind.NAMESPACE) {
            return repository.namespace().equals(path);
        }
        if (path.equals(PUBLIC_REPOSITORIES)) {
            return isPublic;
        }
        return matches(path, repository.value());
    }

    /** What it allows on a repository it covers: the public-repositories resource never more than pulling. */
    public Set<Action> repositoryActions() {
        EnumSet<Action> out = EnumSet.noneOf(Action.class);
        out.addAll(actions);
        out.retainAll(Action.REPOSITORY);
        if (kind == Kind.REPOSITORY && path.equals(PUBLIC_REPOSITORIES)) {
            out.retainAll(EnumSet.of(Action.PULL));
        }
        return out;
    }

    /** Whether {@code path} may be stored for a robot of {@code namespace}: it must stay inside that namespace. */
    public static String problem(Kind kind, String path, String namespace) {
        if (path == null || path.isEmpty()) {
            return "A resource needs a path.";
        }
        if (path.length() > MAX_PATH) {
            return "A resource path has at most " + MAX_PATH + " characters.";
        }
        if (kind == Kind.NAMESPACE) {
            return path.equals(namespace) ? null : "A namespace resource must name the organization " + namespace + ".";
        }
        if (path.equals(PUBLIC_REPOSITORIES)) {
            return null;
        }
        if (!GLOB.matcher(path).matches() || Arrays.stream(path.split("/", -1))
                .anyMatch(part -> part.equals(".") || part.equals(".."))) {
            return "Invalid repository path '" + path + "'.";
        }
        if (!path.startsWith(namespace + "/")) {
            return "A repository path must start with " + namespace + "/.";
        }
        return null;
    }

    /**
     * Glob matching by dynamic programming over (glob position, name position): at most 255 × 255 steps whatever
     * the glob, so no pattern an owner stores can make a request slow.
     */
    static boolean matches(String glob, String name) {
        int n = name.length();
        boolean[] previous = new boolean[n + 1];
        boolean[] current = new boolean[n + 1];
        previous[0] = true;
        int g = 0;
        while (g < glob.length()) {
            char c = glob.charAt(g);
            boolean across = c == '*' && g + 1 < glob.length() && glob.charAt(g + 1) == '*';
            current[0] = c == '*' && previous[0];
            for (int j = 1; j <= n; j++) {
                char at = name.charAt(j - 1);
                if (c != '*') {
                    current[j] = previous[j - 1] && at == c;
                } else {
                    current[j] = previous[j] || (current[j - 1] && (across || at != '/'));
                }
            }
            boolean[] swap = previous;
            previous = current;
            current = swap;
            g += across ? 2 : 1;
        }
        return previous[n];
    }
}
