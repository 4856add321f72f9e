package dev.wharf.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.http.Json;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Action;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.repositories.Retention;
import dev.wharf.repositories.RetentionPolicies;
import dev.wharf.repositories.RetentionPolicy;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Retention policies in the admin API: {@code GET|PUT|DELETE .../retention} of a repository
 * ({@code /api/v1/repositories/{namespace}/{name}}) or of a namespace's default ({@code /api/v1/namespaces/{name}}),
 * and {@code POST .../retention/dry-run}, which lists what the policy in force would remove now and deletes nothing.
 * Site admins and the owners of the namespace may (a user owns their own namespace). A private repository the caller
 * cannot pull does not exist for them.
 */
public final class RetentionApi {
    private final Accounts accounts;
    private final Repositories repositories;
    private final RetentionPolicies policies;
    private final Retention retention;
    private final AccessPolicy access;
    private final Requests requests;
    private final Clock clock;

    public RetentionApi(Accounts accounts, Repositories repositories, RetentionPolicies policies, Retention retention,
                        AccessPolicy access, Requests requests, Clock clock) {
        this.accounts = accounts;
        this.repositories = repositories;
        this.policies = policies;
        this.retention = retention;
        this.access = access;
        this.requests = requests;
        this.clock = clock;
    }

    /** The body of a PUT, in the fields of the JSON answers. */
    private record Body(@JsonProperty("keep_pattern") String keepPattern, @JsonProperty("keep_count") Integer keepCount,
                        @JsonProperty("unpulled_days") Integer unpulledDays,
                        @JsonProperty("untagged_days") Integer untaggedDays) {
        RetentionPolicy policy() {
            return new RetentionPolicy(keepPattern, keepCount, unpulledDays, untaggedDays);
        }
    }

    // ---------------------------------------------------------------------------------------------- repositories

    /** The repository's own policy or, with {@code inherited: true}, its namespace's default; 404 without either. */
    void getRepository(Context ctx) {
        Repository repo = administeredRepository(ctx);
        Optional<RetentionPolicies.Stored> own = policies.ofRepository(repo);
        boolean inherited = own.isEmpty();
        RetentionPolicies.Stored stored = own.or(() -> policies.ofNamespace(repo.namespaceId()))
                .orElseThrow(() -> new DomainException.NotFound("no retention policy for " + repo.name()));
        Map<String, Object> out = json(stored);
        out.put("repository", repo.name().value());
        out.put("inherited", inherited);
        ctx.json(out);
    }

    void setRepository(Context ctx) {
        Repository repo = administeredRepository(ctx);
        RetentionPolicy policy = requests.body(ctx, Body.class).policy();
        Map<String, Object> out = json(policies.setForRepository(repo, policy, AdminApi.caller(ctx).actor()));
        out.put("repository", repo.name().value());
        out.put("inherited", false);
        ctx.json(out);
    }

    /** Removes the repository's own policy (its namespace's default, if any, then applies); 204 either way. */
    void deleteRepository(Context ctx) {
        Repository repo = administeredRepository(ctx);
        policies.deleteForRepository(repo, AdminApi.caller(ctx).actor());
        ctx.status(204);
    }

    void tryRepository(Context ctx) {
        Repository repo = administeredRepository(ctx);
        ctx.json(planJson(repo.name().value(), retention.plan(repo.id(), Timestamps.now(clock))));
    }

    // ---------------------------------------------------------------------------------------------- namespaces

    void getNamespace(Context ctx) {
        Account ns = administeredNamespace(ctx);
        Map<String, Object> out = json(policies.ofNamespace(ns.id())
                .orElseThrow(() -> new DomainException.NotFound("no retention policy for " + ns.name())));
        out.put("namespace", ns.name());
        ctx.json(out);
    }

    void setNamespace(Context ctx) {
        Account ns = administeredNamespace(ctx);
        RetentionPolicy policy = requests.body(ctx, Body.class).policy();
        Map<String, Object> out = json(policies.setForNamespace(ns.logOwner(), policy, AdminApi.caller(ctx).actor()));
        out.put("namespace", ns.name());
        ctx.json(out);
    }

    void deleteNamespace(Context ctx) {
        Account ns = administeredNamespace(ctx);
        policies.deleteForNamespace(ns.logOwner(), AdminApi.caller(ctx).actor());
        ctx.status(204);
    }

    /** The dry run of every repository of the namespace with a policy in force, its own or the default. */
    void tryNamespace(Context ctx) {
        Account ns = administeredNamespace(ctx);
        List<Map<String, Object>> repos = retention.plans(ns.id(), Timestamps.now(clock)).stream()
                .map(p -> planJson(p.repository(), p.plan())).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("namespace", ns.name());
        out.put("repositories", repos);
        ctx.json(out);
    }

    // ---------------------------------------------------------------------------------------------- internals

    /**
     * The repository in the path, if the caller may manage its retention; a private one the caller cannot pull is
     * not found, like an unknown one.
     */
    private Repository administeredRepository(Context ctx) {
        String raw = Routed.parameter(ctx, "namespace") + "/" + Routed.parameter(ctx, "name");
        if (RepositoryName.problem(raw) != null) {
            throw new DomainException.NotFound("repository not found");
        }
        RepositoryName name = new RepositoryName(raw);
        Repository repo = repositories.find(name)
                .orElseThrow(() -> new DomainException.NotFound("repository not found"));
        Principal p = AdminApi.caller(ctx);
        if (!p.account().siteAdmin() && !accounts.findById(repo.namespaceId())
                .filter(ns -> access.administers(p, ns)).isPresent()) {
            if (repo.isPrivate() && !access.allows(p, name, Set.of(Action.PULL))) {
                throw new DomainException.NotFound("repository not found");
            }
            throw new DomainException.Forbidden("only owners of " + name.namespace() + " and site admins may manage"
                    + " its retention policies");
        }
        return repo;
    }

    private Account administeredNamespace(Context ctx) {
        Account ns = accounts.find(Routed.parameter(ctx, "name"))
                .orElseThrow(() -> new DomainException.NotFound("namespace not found"));
        Principal p = AdminApi.caller(ctx);
        if (!p.account().siteAdmin() && !access.administers(p, ns)) {
            throw new DomainException.Forbidden("only owners of " + ns.name() + " and site admins may manage its"
                    + " retention policies");
        }
        return ns;
    }

    private static Map<String, Object> json(RetentionPolicies.Stored stored) {
        RetentionPolicy p = stored.policy();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("keep_pattern", p.keepPattern());
        out.put("keep_count", p.keepCount());
        out.put("unpulled_days", p.unpulledDays());
        out.put("untagged_days", p.untaggedDays());
        out.put("updated_at", Json.time(stored.updatedAt()));
        out.put("updated_by", stored.updatedBy());
        return out;
    }

    private static Map<String, Object> planJson(String repository, Retention.Plan plan) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("repository", repository);
        out.put("has_policy", plan.policy() != null);
        out.put("tags", plan.tags().stream().map(t -> {
            Map<String, Object> tag = new LinkedHashMap<>();
            tag.put("tag", t.tag());
            tag.put("digest", t.digest().toString());
            return tag;
        }).toList());
        out.put("untagged_manifests", plan.untagged().stream().map(m -> {
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("digest", m.digest().toString());
            manifest.put("pushed_at", Json.time(m.pushedAt()));
            manifest.put("size", m.size());
            return manifest;
        }).toList());
        return out;
    }
}
