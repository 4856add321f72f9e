package dev.wharf.gitlab;

import dev.wharf.credentials.Scope;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Wharf's stored scopes in GitLab's names and back. Neither direction widens access: {@code repo:read} shows as
 * {@code read_registry}, {@code repo:write} and {@code repo:admin} as {@code read_registry, write_registry} (GitLab
 * has no delete scope; the stored scope keeps it, and rotation copies the stored scopes); {@code repo:public_read}
 * has no GitLab name and shows nothing. Back, {@code write_registry} is {@code repo:write}, which includes reading,
 * so it is accepted only together with {@code read_registry}.
 */
final class GitlabScopes {
    static final String READ_REGISTRY = "read_registry";
    static final String WRITE_REGISTRY = "write_registry";

    private GitlabScopes() {
    }

    /** How GitLab shows a token's stored scopes, in their stored order. */
    static List<String> view(List<Scope> stored) {
        Set<String> out = new LinkedHashSet<>();
        for (Scope scope : stored) {
            switch (scope) {
                case REPO_PUBLIC_READ -> {
                    // no GitLab scope is this narrow; showing read_registry would claim private pulls
                }
                case REPO_READ -> out.add(READ_REGISTRY);
                case REPO_WRITE, REPO_ADMIN -> {
                    out.add(READ_REGISTRY);
                    out.add(WRITE_REGISTRY);
                }
                case API, READ_API, SELF_ROTATE -> out.add(scope.wireName());
            }
        }
        return List.copyOf(out);
    }

    /**
     * The stored scopes for GitLab scope names.
     *
     * @throws GitlabErrors.Refusal Grape's 400 for a name with no Wharf meaning (GitLab's {@code read_user},
     *                              {@code sudo}, anything unknown), and a 400 for {@code write_registry} without
     *                              {@code read_registry}
     */
    static List<Scope> parse(List<String> names) {
        Set<String> given = new LinkedHashSet<>(names);
        if (given.contains(WRITE_REGISTRY) && !given.contains(READ_REGISTRY)) {
            throw GitlabErrors.badRequest("write_registry needs read_registry: Wharf's write access includes reading");
        }
        List<Scope> out = new ArrayList<>();
        for (String name : given) {
            Scope scope = switch (name) {
                case READ_REGISTRY -> given.contains(WRITE_REGISTRY) ? null : Scope.REPO_READ;
                case WRITE_REGISTRY -> Scope.REPO_WRITE;
                case "api" -> Scope.API;
                case "read_api" -> Scope.READ_API;
                case "self_rotate" -> Scope.SELF_ROTATE;
                default -> {
                    throw GitlabErrors.parameter("scopes", "does not have a valid value");
                }
            };
            if (scope != null) {
                out.add(scope);
            }
        }
        return out;
    }
}
