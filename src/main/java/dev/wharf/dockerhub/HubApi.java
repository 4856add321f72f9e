package dev.wharf.dockerhub;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Members;
import dev.wharf.accounts.Teams;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditEvent;
import dev.wharf.audit.AuditLog;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Validation;
import dev.wharf.http.Json;
import dev.wharf.http.QueryTimes;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.CredentialQuery;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Scope;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.RepositoryProfiles;
import dev.wharf.repositories.TagViews;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The Docker Hub v2 dialect: sign-in, personal access tokens and audit logs, translated to domain calls; the
 * organization access tokens are {@link OrgTokensApi}'s, repositories and tags {@link RepositoriesApi}'s, members
 * {@link OrgsApi}'s, groups {@link TeamsApi}'s and the organization settings {@link OrgSettingsApi}'s.
 */
public final class HubApi {
    /** Domain field names to the PAT endpoints' own. */
    private static final Map<String, String> PAT_FIELDS = Map.of("name", "token_label", "active", "is_active");

    private final Authenticator authenticator;
    private final HubAuth auth;
    private final Credentials credentials;
    private final AccessPolicy policy;
    private final AuditLog audit;
    private final Requests requests;
    private final Clock clock;
    private final OrgTokensApi orgTokens;
    private final RepositoriesApi repositories;

    private final OrgsApi orgs;
    private final TeamsApi teams;
    private final OrgSettingsApi orgSettings;

    public HubApi(Authenticator authenticator, Credentials credentials, AccessPolicy policy, AuditLog audit,
                  Requests requests, Clock clock, Content content, Organizations organizations) {
        this.authenticator = authenticator;
        this.auth = new HubAuth(authenticator, policy, requests, clock);
        this.credentials = credentials;
        this.policy = policy;
        this.audit = audit;
        this.requests = requests;
        this.clock = clock;
        this.orgTokens = new OrgTokensApi(credentials, policy, requests, clock);
        this.repositories = new RepositoriesApi(content.repositories(), content.profiles(), content.tags(), policy,
                requests);
        this.orgs = new OrgsApi(organizations.accounts(), organizations.members(), policy, requests, clock);
        this.teams = new TeamsApi(organizations.teams(), organizations.repositories(), orgs, policy, requests);
        this.orgSettings = new OrgSettingsApi(organizations.settings(), policy, requests);
    }

    /** What the repository and tag endpoints work on. */
    public record Content(Repositories repositories, RepositoryProfiles profiles, TagViews tags) {
    }

    /** What the organization, member and team endpoints work on. */
    public record Organizations(Accounts accounts, Members members, Teams teams, Repositories repositories,
                                NamespaceSettingsStore settings) {
    }

    HubAuth guard() {
        return auth;
    }

    OrgTokensApi orgTokens() {
        return orgTokens;
    }

    RepositoriesApi repositories() {
        return repositories;
    }

    OrgsApi orgs() {
        return orgs;
    }

    TeamsApi teams() {
        return teams;
    }

    OrgSettingsApi orgSettings() {
        return orgSettings;
    }

    private record Login(String username, String password) {
    }

    private record AuthToken(String identifier, String secret) {
    }

    private record NewToken(@JsonProperty("token_label") String label, List<String> scopes,
                            @JsonProperty("expires_at") String expiresAt) {
    }

    private record TokenChange(@JsonProperty("token_label") String label,
                               @JsonProperty("is_active") Boolean active) {
    }

    /** {@code POST /v2/users/login}: 401 is {@code {"detail": ...}} only, as Hub answers it. */
    void usersLogin(Context ctx) {
        Login body = requests.body(ctx, Login.class);
        try {
            Principal p = authenticator.signIn(body.username(), body.password(), requests.clientIp(ctx));
            ctx.json(Map.of("token", authenticator.issueSession(p)));
        } catch (DomainException.Unauthenticated e) {
            ctx.status(401).json(Map.of("detail", e.getMessage()));
        }
    }

    /** {@code POST /v2/auth/token}: a 10-minute JWT for {@code {identifier, secret}}. */
    void authToken(Context ctx) {
        AuthToken body = requests.body(ctx, AuthToken.class);
        Principal p = authenticator.signIn(body.identifier(), body.secret(), requests.clientIp(ctx));
        ctx.json(Map.of("access_token", authenticator.issueAccess(p)));
    }

    void createToken(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        NewToken body = requests.body(ctx, NewToken.class);
        OffsetDateTime expires = QueryTimes.parse(body.expiresAt(), "expires_at");
        List<Scope> scopes = repositoryScopes(body.scopes());
        Credentials.Created created = renamingFields(PAT_FIELDS, () -> credentials.create(p.account(),
                Credentials.Draft.personal(body.label(), null, scopes, expires),
                new Credentials.Origin(requests.clientIp(ctx), ctx.userAgent(), "HUB"), p.actor(), false));
        ctx.status(201).json(tokenJson(created.credential(), created.secret()));
    }

    void listTokens(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Paging paging = Paging.from(ctx, 10, 100);
        Credentials.Page page = credentials.list(CredentialQuery.of(Credential.Kind.PERSONAL)
                .owner(p.account().id()).countingActive().sort(CredentialQuery.Sort.NEWEST)
                .page(paging.offset(), paging.pageSize()));
        String base = requests.baseUrl(ctx);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", page.total());
        out.put("next", paging.link(ctx, base, paging.page() + 1, page.total()));
        out.put("previous", paging.link(ctx, base, paging.page() - 1, page.total()));
        out.put("active_count", page.activeCount());
        out.put("results", page.items().stream().map(t -> tokenJson(t, "")).toList());
        ctx.json(out);
    }

    void getToken(Context ctx) {
        ctx.json(tokenJson(ownToken(ctx), ""));
    }

    void patchToken(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Credential token = ownToken(ctx);
        TokenChange body = requests.body(ctx, TokenChange.class);
        Credential updated = renamingFields(PAT_FIELDS, () -> credentials.update(token,
                Credentials.Change.none().name(body.label()).active(body.active()), p.actor()));
        ctx.json(tokenJson(updated, ""));
    }

    void deleteToken(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        credentials.revoke(ownToken(ctx), true, p.actor(), null);
        ctx.status(204);
    }

    /** The caller's personal token named in the path; a foreign, deleted or unknown one is simply not found. */
    private Credential ownToken(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        return credentials.find(uuid(ctx, "uuid"))
                .filter(t -> t.ownerId() == p.account().id() && !t.isRobot() && !t.deleted())
                .orElseThrow(() -> new DomainException.NotFound("token not found"));
    }

    /** Hub's scopes: the repository ones only, in the form Docker Hub names them. */
    private static List<Scope> repositoryScopes(List<String> names) {
        if (names == null) {
            return List.of();
        }
        List<Scope> out = new ArrayList<>();
        for (String name : names.subList(0, Math.min(names.size(), Credentials.MAX_SCOPES + 1))) {
            Scope scope = Scope.parse(name);
            if (scope == null || !scope.isRepository()) {
                throw new DomainException.Invalid("scopes", "Invalid scope '" + name + "'. Must be one of: "
                        + String.join(", ", Scope.REPOSITORY.stream().map(Scope::wireName).toList()) + ".");
            }
            out.add(scope);
        }
        return out;
    }

    /** The result of a domain call, with the fields of its validation errors renamed ({@code fields}: domain to Hub). */
    static <T> T renamingFields(Map<String, String> fields, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (DomainException.Invalid e) {
            throw e.renamed(fields);
        }
    }

    /** {@code GET /v2/auditlogs/{account}}: newest first, {@code {logs: [...]}} only, as Hub returns it. */
    void auditLogs(Context ctx) {
        Account account = auditableAccount(ctx);
        Paging paging = Paging.from(ctx, 25, 100);
        Validation v = new Validation();
        OffsetDateTime from = null;
        OffsetDateTime to = null;
        try {
            from = QueryTimes.parse(ctx.queryParam("from"), "from");
        } catch (DomainException.Invalid e) {
            v.add("from", e.getMessage());
        }
        try {
            to = QueryTimes.parse(ctx.queryParam("to"), "to");
        } catch (DomainException.Invalid e) {
            v.add("to", e.getMessage());
        }
        v.throwIfInvalid();
        List<AuditEvent> events = audit.query(account.logOwner(), new AuditLog.Filter(
                blankToNull(ctx.queryParam("action")), blankToNull(ctx.queryParam("name")),
                blankToNull(ctx.queryParam("actor")), from, to, paging.page(), paging.pageSize()));
        List<Map<String, Object>> logs = new ArrayList<>();
        for (AuditEvent e : events) {
            Map<String, Object> log = new LinkedHashMap<>();
            log.put("account", e.account());
            log.put("action", e.action());
            log.put("name", e.name());
            log.put("actor", e.actor());
            log.put("data", e.data());
            log.put("timestamp", Json.time(e.timestamp()));
            log.put("action_description", e.describe());
            logs.add(log);
        }
        ctx.json(Map.of("logs", logs));
    }

    /** {@code GET /v2/auditlogs/{account}/actions}: the catalogue of every action Wharf records, grouped as on Hub. */
    void auditActions(Context ctx) {
        auditableAccount(ctx);
        Map<String, Object> groups = new LinkedHashMap<>();
        for (String group : AuditAction.GROUP_ORDER) {
            List<Map<String, String>> actions = AuditAction.inGroup(group).stream()
                    .map(a -> Map.of("name", a.shortName(), "description", a.description(), "label", a.label()))
                    .toList();
            groups.put(group, Map.of("label", AuditAction.GROUP_LABELS.get(group), "actions", actions));
        }
        ctx.json(Map.of("actions", groups));
    }

    /** The account named in the path, if the caller may read its log: it is theirs, or they own the org. */
    private Account auditableAccount(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Optional<Account> account = policy.namespace(Routed.parameter(ctx, "account"));
        if (account.isEmpty() || !policy.administers(p, account.get())) {
            throw new DomainException.Forbidden("You do not have permission to view this account's audit log.");
        }
        return account.get();
    }

    private Map<String, Object> tokenJson(Credential t, String secret) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uuid", t.uuid().toString());
        out.put("client_id", t.clientId());
        out.put("creator_ip", t.creatorIp());
        out.put("creator_ua", t.creatorUa());
        out.put("created_at", Json.time(t.createdAt()));
        out.put("last_used", Json.time(t.lastUsedAt()));
        out.put("generated_by", t.generatedBy());
        out.put("is_active", t.active() && !t.isRevoked(Timestamps.now(clock)));
        out.put("token", secret);
        out.put("token_label", t.name());
        out.put("scopes", t.scopes().stream().filter(Scope::isRepository).map(Scope::wireName).toList());
        out.put("expires_at", Json.time(t.expiresAt()));
        return out;
    }

    /** The path parameter's uuid; anything that is not a uuid is simply not found, never a 500. */
    static UUID uuid(Context ctx, String parameter) {
        String raw = Routed.parameter(ctx, parameter);
        try {
            UUID uuid = UUID.fromString(raw);
            if (uuid.toString().equalsIgnoreCase(raw)) {
                return uuid;
            }
        } catch (IllegalArgumentException ignored) {
            // falls through to not found
        }
        throw new DomainException.NotFound("token not found");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
