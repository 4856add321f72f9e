package dev.wharf.dockerhub;

import dev.wharf.core.Validation;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Resource;
import dev.wharf.repositories.Action;
import dev.wharf.repositories.RepositoryName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker Hub's organization-access-token resources, {@code {type, path, scopes}}, translated to and from Wharf's
 * {@link Resource}s. A translation never widens access: a Hub scope maps to exactly the actions it names, and a Hub
 * scope Wharf has no way to enforce is refused (400) rather than stored and silently ignored.
 *
 * <table>
 *   <caption>what Wharf accepts</caption>
 *   <tr><td>TYPE_REPO {@code org/repo}, a glob such as {@code org/*}</td>
 *       <td>scope-image-pull (pull) &lt; scope-image-push (+ push) &lt; scope-image-delete (+ delete)</td></tr>
 *   <tr><td>TYPE_REPO {@code *}{@code /*}{@code /public}</td><td>scope-image-pull only</td></tr>
 *   <tr><td>TYPE_ORG {@code org}</td><td>scope-repository-list (see the org's private repositories), and the
 *       image scopes, which then apply to every repository of the org</td></tr>
 * </table>
 * Every other scope of Hub's spec ({@link #UNENFORCEABLE}) is refused: Wharf has no repository metadata, tag,
 * webhook, member, team, billing or audit-log permission a robot could be limited to.
 */
final class HubResources {
    static final String TYPE_REPO = "TYPE_REPO";
    static final String TYPE_ORG = "TYPE_ORG";
    static final String REPOSITORY_LIST = "scope-repository-list";
    /** More than Hub's whole scope catalogue: bounds the work one resource can ask for. */
    private static final int MAX_SCOPES = 32;

    /** Hub's image scopes, weakest first; each includes the ones before it. */
    @SuppressWarnings("ImmutableEnumChecker") // the sets are Set.of, immutable
    private enum ImageScope {
        PULL("scope-image-pull", Set.of(Action.PULL)),
        PUSH("scope-image-push", Set.of(Action.PULL, Action.PUSH)),
        DELETE("scope-image-delete", Set.of(Action.PULL, Action.PUSH, Action.DELETE));

        final String wireName;
        final Set<Action> actions;

        ImageScope(String wireName, Set<Action> actions) {
            this.wireName = wireName;
            this.actions = actions;
        }

        static ImageScope parse(String name) {
            for (ImageScope s : values()) {
                if (s.wireName.equals(name)) {
                    return s;
                }
            }
            return null;
        }

        /** The strongest image scope whose actions are all among {@code actions}, or null. */
        static ImageScope within(Set<Action> actions) {
            ImageScope strongest = null;
            for (ImageScope s : values()) {
                if (actions.containsAll(s.actions)) {
                    strongest = s;
                }
            }
            return strongest;
        }
    }

    /** The scopes of Hub's spec that Wharf refuses, because it has nothing to enforce them with. */
    static final List<String> UNENFORCEABLE = List.of(
            "scope-repository-read", "scope-repository-edit", "scope-repository-admin",
            "scope-tag-read", "scope-tag-admin",
            "scope-webhook-read", "scope-webhook-edit", "scope-webhook-admin",
            "scope-repo-group-read", "scope-repo-group-edit", "scope-repo-group-admin",
            "scope-repository-settings-admin",
            "scope-member-read", "scope-member-edit", "scope-invite-read", "scope-invite-edit",
            "scope-group-read", "scope-group-edit", "scope-activity-read", "scope-siem_credentials-read",
            "scope-ram-read", "scope-ram-write", "scope-report-read", "scope-repository-create",
            "scope-registry-usage-read", "scope-cloud-connect", "scope-audit_events-read",
            "scope-governance-policy-read", "scope-governance-policy-write");

    /** One resource as Hub's JSON carries it. */
    record Wire(String type, String path, List<String> scopes) {
    }

    private HubResources() {
    }

    /**
     * Wharf's resources for Hub's; every problem is reported on the field {@code resources}. Whether a path stays
     * inside the organization is the domain's check.
     */
    static List<Resource> toDomain(List<Wire> wire) {
        Validation v = new Validation();
        if (wire == null || wire.isEmpty()) {
            v.add("resources", "At least one resource is required.");
        } else if (wire.size() > Credentials.MAX_RESOURCES) {
            v.add("resources", "Ensure this field has no more than " + Credentials.MAX_RESOURCES + " elements.");
        }
        v.throwIfInvalid();
        List<Resource> out = new ArrayList<>();
        for (Wire w : wire) {
            Resource r = w == null ? null : translate(w, v);
            if (r != null) {
                out.add(r);
            } else if (w == null) {
                v.add("resources", "A resource needs type, path and scopes.");
            }
        }
        v.throwIfInvalid();
        return out;
    }

    /** One resource, or null with its problems added to {@code v}. */
    private static Resource translate(Wire w, Validation v) {
        boolean repo = TYPE_REPO.equals(w.type());
        if (!repo && !TYPE_ORG.equals(w.type())) {
            v.add("resources", "Invalid type '" + w.type() + "'. Must be one of: " + TYPE_REPO + ", " + TYPE_ORG + ".");
            return null;
        }
        if (w.path() == null || w.path().isEmpty()) {
            v.add("resources", "A resource needs a path.");
            return null;
        }
        if (w.scopes() == null || w.scopes().isEmpty()) {
            v.add("resources", "A resource needs at least one scope.");
            return null;
        }
        if (w.scopes().size() > MAX_SCOPES) {
            v.add("resources", "A resource has at most " + MAX_SCOPES + " scopes.");
            return null;
        }
        boolean publicRepositories = repo && w.path().equals(Resource.PUBLIC_REPOSITORIES);
        // A glob is checked as the name it is closest to; one that fails could only ever match invalid names.
        String asName = w.path().replace('*', 'a');
        if (repo && !publicRepositories && asName.length() <= Resource.MAX_PATH
                && RepositoryName.problem(asName) != null) {
            v.add("resources", "Invalid repository path '" + w.path() + "': " + RepositoryName.problem(asName));
            return null;
        }
        EnumSet<Action> actions = EnumSet.noneOf(Action.class);
        boolean valid = true;
        for (String scope : w.scopes()) {
            ImageScope image = ImageScope.parse(scope);
            if (image != null && publicRepositories && image != ImageScope.PULL) {
                // The domain would store it and enforce pull only: refused, so that what is shown is what works.
                v.add("resources", Resource.PUBLIC_REPOSITORIES + " can only be pulled: use "
                        + ImageScope.PULL.wireName + ".");
                valid = false;
            } else if (image != null) {
                actions.addAll(image.actions);
            } else if (!repo && REPOSITORY_LIST.equals(scope)) {
                actions.add(Action.LIST);
            } else {
                v.add("resources", problem(scope, repo));
                valid = false;
            }
        }
        return valid ? new Resource(repo ? Resource.Kind.REPOSITORY : Resource.Kind.NAMESPACE, w.path(), actions)
                : null;
    }

    private static String problem(String scope, boolean repo) {
        String supported = repo ? "scope-image-pull, scope-image-push, scope-image-delete"
                : "scope-image-pull, scope-image-push, scope-image-delete, " + REPOSITORY_LIST;
        if (UNENFORCEABLE.contains(scope) || REPOSITORY_LIST.equals(scope)) {
            return "The scope '" + scope + "' is not supported by Wharf on " + (repo ? TYPE_REPO : TYPE_ORG)
                    + ". Supported scopes: " + supported + ".";
        }
        return "Invalid scope '" + scope + "'. Must be one of: " + supported + ".";
    }

    /**
     * Hub's view of Wharf's resources. A resource whose actions no Hub scope names exactly (one created through
     * another dialect with push but not pull, say) shows the strongest scope it fully includes, never more.
     */
    static List<Map<String, Object>> toHub(List<Resource> resources) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Resource r : resources) {
            List<String> scopes = new ArrayList<>();
            ImageScope image = ImageScope.within(r.repositoryActions());
            if (image != null) {
                scopes.add(image.wireName);
            }
            if (r.kind() == Resource.Kind.NAMESPACE && r.actions().contains(Action.LIST)) {
                scopes.add(REPOSITORY_LIST);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("type", r.kind() == Resource.Kind.NAMESPACE ? TYPE_ORG : TYPE_REPO);
            json.put("path", r.path());
            json.put("scopes", scopes);
            out.add(json);
        }
        return out;
    }
}
