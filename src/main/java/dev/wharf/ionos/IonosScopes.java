package dev.wharf.ionos;

import dev.wharf.core.DomainException;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Resource;
import dev.wharf.repositories.Action;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * IONOS token scopes, {@code {name, type, actions}}, as robot resources and back. Scope names are relative to the
 * registry, as IONOS's are (a registry is its own host there; here it is the namespace {@code <registry>/}):
 * <ul>
 *   <li>{@code type: repository}: the repositories {@code <registry>/<name>} names; {@code name} may be a glob
 *       ({@code *} within one path component, {@code **} across), and {@code *} alone means every repository of the
 *       registry ({@code <registry>/**});</li>
 *   <li>{@code type: registry}: the whole namespace, with its catalogue ({@code list}); the name is {@code *} (or
 *       the registry's own name).</li>
 * </ul>
 * Actions are {@code pull}, {@code push} and {@code delete}, as in the IONOS documentation.
 */
final class IonosScopes {
    static final String REPOSITORY = "repository";
    static final String REGISTRY = "registry";
    private static final String EVERY_REPOSITORY = "**";
    private static final int MAX_ACTIONS = 16;
    /** Docker's repository name components ({@code a.b-c}), each of which may hold glob stars. */
    private static final String COMPONENT = "[a-z0-9*]+(?:[._-][a-z0-9*]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

    /** One scope as a client sends it. */
    record Scope(String name, String type, List<String> actions) {
    }

    private IonosScopes() {
    }

    /**
     * The resources {@code scopes} give a token of {@code registry}; null when none were sent.
     *
     * @throws DomainException.Invalid on {@code field} for a scope that names nothing Wharf can grant
     */
    static List<Resource> resources(List<Scope> scopes, String registry, String field) {
        if (scopes == null) {
            return null;
        }
        if (scopes.size() > Credentials.MAX_RESOURCES) {
            throw new DomainException.Invalid(field, "A token may have at most " + Credentials.MAX_RESOURCES
                    + " scopes.");
        }
        List<Resource> out = new ArrayList<>();
        for (int i = 0; i < scopes.size(); i++) {
            out.add(resource(scopes.get(i), registry, field + "[" + i + "]"));
        }
        return out;
    }

    private static Resource resource(Scope scope, String registry, String field) {
        if (scope.name() == null || scope.name().isEmpty()) {
            throw new DomainException.Invalid(field + ".name", "This field is required.");
        }
        if (scope.actions() == null) {
            throw new DomainException.Invalid(field + ".actions", "This field is required.");
        }
        if (scope.actions().size() > MAX_ACTIONS) {
            throw new DomainException.Invalid(field + ".actions", "Too many actions.");
        }
        EnumSet<Action> actions = EnumSet.noneOf(Action.class);
        for (String name : scope.actions()) {
            Action action = Action.REPOSITORY.stream().filter(a -> a.wireName().equals(name)).findFirst()
                    .orElseThrow(() -> new DomainException.Invalid(field + ".actions",
                            "Unknown action '" + name + "'; the actions are pull, push and delete."));
            actions.add(action);
        }
        if (REGISTRY.equals(scope.type())) {
            if (!scope.name().equals("*") && !scope.name().equals(registry)) {
                throw new DomainException.Invalid(field + ".name", "A registry scope is named '*'.");
            }
            actions.add(Action.LIST);
            return new Resource(Resource.Kind.NAMESPACE, registry, actions);
        }
        if (!REPOSITORY.equals(scope.type())) {
            throw new DomainException.Invalid(field + ".type", "The type is repository or registry.");
        }
        if (actions.isEmpty()) {
            throw new DomainException.Invalid(field + ".actions", "A repository scope needs at least one action.");
        }
        String path = registry + "/" + (scope.name().equals("*") ? EVERY_REPOSITORY : scope.name());
        if (!NAME.matcher(scope.name()).matches()
                || Resource.problem(Resource.Kind.REPOSITORY, path, registry) != null) {
            throw new DomainException.Invalid(field + ".name", "Invalid repository name '" + scope.name() + "'.");
        }
        return new Resource(Resource.Kind.REPOSITORY, path, actions);
    }

    /** How a robot's resources read as IONOS scopes (a resource made through another API shows its full path). */
    static List<Map<String, Object>> scopes(List<Resource> resources, String registry) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Resource r : resources) {
            Map<String, Object> scope = new LinkedHashMap<>();
            if (r.kind() == Resource.Kind.NAMESPACE) {
                scope.put("name", "*");
                scope.put("type", REGISTRY);
            } else {
                String prefix = registry + "/";
                String name = r.path().startsWith(prefix) ? r.path().substring(prefix.length()) : r.path();
                scope.put("name", name.equals(EVERY_REPOSITORY) ? "*" : name);
                scope.put("type", REPOSITORY);
            }
            scope.put("actions", Action.REPOSITORY.stream().filter(r.repositoryActions()::contains)
                    .map(Action::wireName).toList());
            out.add(scope);
        }
        return out;
    }
}
