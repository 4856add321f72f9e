package dev.wharf.dockerhub;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.CredentialQuery;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Resource;
import dev.wharf.http.Json;
import dev.wharf.http.QueryTimes;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker Hub's organization access tokens, {@code /v2/orgs/{name}/access-tokens}: the organization's robot
 * credentials, managed by its owners only. Resources are translated by {@link HubResources}.
 */
final class OrgTokensApi {
    /** Domain field names to the OAT endpoints' own. */
    private static final Map<String, String> OAT_FIELDS = Map.of("name", "label", "active", "is_active");

    private final Credentials credentials;
    private final AccessPolicy policy;
    private final Requests requests;
    private final Clock clock;

    OrgTokensApi(Credentials credentials, AccessPolicy policy, Requests requests, Clock clock) {
        this.credentials = credentials;
        this.policy = policy;
        this.requests = requests;
        this.clock = clock;
    }

    private record NewToken(String label, String description, List<HubResources.Wire> resources,
                            @JsonProperty("expires_at") String expiresAt) {
    }

    private record TokenChange(String label, String description, List<HubResources.Wire> resources,
                               @JsonProperty("is_active") Boolean active) {
    }

    /** {@code POST}: 201 with the secret, the only response that ever carries it. */
    void create(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = administeredOrg(ctx);
        NewToken body = requests.body(ctx, NewToken.class);
        OffsetDateTime expires = QueryTimes.parse(body.expiresAt(), "expires_at");
        List<Resource> resources = HubResources.toDomain(body.resources());
        Credentials.Created created = HubApi.renamingFields(OAT_FIELDS, () -> credentials.create(org,
                Credentials.Draft.robot(body.label(), body.description(), resources, expires),
                new Credentials.Origin(requests.clientIp(ctx), ctx.userAgent(), "HUB"), p.actor(), false));
        Credential t = created.credential();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.uuid().toString());
        out.put("label", t.name());
        out.put("is_active", isActive(t));
        out.put("created_at", Json.time(t.createdAt()));
        out.put("expires_at", Json.time(t.expiresAt()));
        out.put("last_used_at", Json.time(t.lastUsedAt()));
        out.put("token", created.secret());
        out.put("resources", HubResources.toHub(t.resources()));
        ctx.status(201).json(out);
    }

    /** {@code GET}: newest first, with {@code total} where the PAT list has {@code count}, and no resources. */
    void list(Context ctx) {
        Account org = administeredOrg(ctx);
        Paging paging = Paging.from(ctx, 10, 100);
        Credentials.Page page = credentials.list(CredentialQuery.of(Credential.Kind.ROBOT)
                .owner(org.id()).sort(CredentialQuery.Sort.NEWEST)
                .page(paging.offset(), paging.pageSize()));
        ctx.json(paging.body(ctx, requests.baseUrl(ctx), "total", page.total(),
                page.items().stream().map(this::tokenJson).toList()));
    }

    void get(Context ctx) {
        ctx.json(withResources(orgToken(ctx)));
    }

    /** {@code PATCH}: label, description, resources and the active switch; a revoked token stays inactive. */
    void update(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Credential token = orgToken(ctx);
        TokenChange body = requests.body(ctx, TokenChange.class);
        List<Resource> resources = body.resources() == null ? null : HubResources.toDomain(body.resources());
        Credential updated = HubApi.renamingFields(OAT_FIELDS, () -> credentials.update(token,
                Credentials.Change.none().name(body.label()).description(body.description())
                        .resources(resources).active(body.active()), p.actor()));
        ctx.json(withResources(updated));
    }

    /** {@code DELETE}: revoked and deleted at once, for good; 204. */
    void delete(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        credentials.revoke(orgToken(ctx), true, p.actor(), null);
        ctx.status(204);
    }

    /** The organization in the path, if the caller owns it: 404 when there is no such organization, else 403. */
    private Account administeredOrg(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = policy.namespace(Routed.parameter(ctx, "name")).filter(Account::isOrg)
                .orElseThrow(() -> new DomainException.NotFound("organization not found"));
        if (!policy.administers(p, org)) {
            throw new DomainException.Forbidden("Only organization owners may manage its access tokens.");
        }
        return org;
    }

    /** The org's robot named in the path; another org's, a deleted or an unknown one is simply not found. */
    private Credential orgToken(Context ctx) {
        Account org = administeredOrg(ctx);
        return credentials.find(HubApi.uuid(ctx, "id"))
                .filter(t -> t.ownerId() == org.id() && t.isRobot() && !t.deleted())
                .orElseThrow(() -> new DomainException.NotFound("token not found"));
    }

    private boolean isActive(Credential t) {
        return t.active() && !t.isRevoked(Timestamps.now(clock));
    }

    /** Hub's {@code orgAccessToken}: never the secret. */
    private Map<String, Object> tokenJson(Credential t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.uuid().toString());
        out.put("label", t.name());
        out.put("created_by", t.creatorName() == null ? "" : t.creatorName());
        out.put("is_active", isActive(t));
        out.put("created_at", Json.time(t.createdAt()));
        out.put("expires_at", Json.time(t.expiresAt()));
        out.put("last_used_at", Json.time(t.lastUsedAt()));
        return out;
    }

    private Map<String, Object> withResources(Credential t) {
        Map<String, Object> out = tokenJson(t);
        out.put("resources", HubResources.toHub(t.resources()));
        return out;
    }
}
