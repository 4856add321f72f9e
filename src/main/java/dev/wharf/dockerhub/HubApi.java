package dev.wharf.dockerhub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditEvent;
import dev.wharf.audit.AuditLog;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Validation;
import dev.wharf.server.Json;
import dev.wharf.server.Requests;
import dev.wharf.tokens.AccessToken;
import dev.wharf.tokens.AccessTokens;
import io.javalin.http.Context;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The Docker Hub v2 dialect: sign-in, personal access tokens and audit logs, translated to domain calls. */
public final class HubApi {
    private final Authenticator authenticator;
    private final HubAuth auth;
    private final AccessTokens tokens;
    private final Accounts accounts;
    private final AuditLog audit;
    private final Requests requests;

    public HubApi(Authenticator authenticator, AccessTokens tokens, Accounts accounts, AuditLog audit,
                  Requests requests) {
        this.authenticator = authenticator;
        this.auth = new HubAuth(authenticator);
        this.tokens = tokens;
        this.accounts = accounts;
        this.audit = audit;
        this.requests = requests;
    }

    /** {@code POST /v2/users/login}: 401 is {@code {"detail": ...}} only, as Hub answers it. */
    public void usersLogin(Context ctx) {
        JsonNode body = Json.object(ctx);
        try {
            Principal p = authenticator.signIn(Json.string(body, "username"), Json.string(body, "password"),
                    requests.clientIp(ctx));
            ctx.json(Map.of("token", authenticator.issueSession(p)));
        } catch (DomainException.Unauthenticated e) {
            ctx.status(401).json(Map.of("detail", e.getMessage()));
        }
    }

    /** {@code POST /v2/auth/token}: a 10-minute JWT for {@code {identifier, secret}}. */
    public void authToken(Context ctx) {
        JsonNode body = Json.object(ctx);
        Principal p = authenticator.signIn(Json.string(body, "identifier"), Json.string(body, "secret"),
                requests.clientIp(ctx));
        ctx.json(Map.of("access_token", authenticator.issueAccess(p)));
    }

    public void createToken(Context ctx) {
        Principal p = auth.requirePasswordSession(ctx);
        JsonNode body = Json.object(ctx);
        List<String> scopes = stringList(body, "scopes");
        OffsetDateTime expires = time(Json.string(body, "expires_at"), "expires_at");
        AccessTokens.Created created = tokens.create(p.account(), Json.string(body, "token_label"), scopes, expires,
                new AccessTokens.Origin(requests.clientIp(ctx), ctx.userAgent(), p.credentialUuid()));
        ctx.status(201).json(tokenJson(created.token(), created.secret()));
    }

    public void listTokens(Context ctx) {
        Principal p = auth.requirePasswordSession(ctx);
        Paging paging = Paging.from(ctx, 10, 100);
        AccessTokens.Page page = tokens.list(p.account(), paging.page(), paging.pageSize());
        String base = requests.baseUrl(ctx);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", page.count());
        out.put("next", paging.link(ctx, base, paging.page() + 1, page.count()));
        out.put("previous", paging.link(ctx, base, paging.page() - 1, page.count()));
        out.put("active_count", page.activeCount());
        out.put("results", page.results().stream().map(t -> tokenJson(t, "")).toList());
        ctx.json(out);
    }

    public void getToken(Context ctx) {
        Principal p = auth.requirePasswordSession(ctx);
        ctx.json(tokenJson(tokens.get(p.account(), uuid(ctx)), ""));
    }

    public void patchToken(Context ctx) {
        Principal p = auth.requirePasswordSession(ctx);
        UUID uuid = uuid(ctx);
        JsonNode body = Json.object(ctx);
        JsonNode active = body.get("is_active");
        if (active != null && !active.isNull() && !active.isBoolean()) {
            throw new DomainException.Invalid("is_active", "Must be a valid boolean.");
        }
        Boolean isActive = active == null || active.isNull() ? null : active.asBoolean();
        AccessToken updated = tokens.update(p.account(), uuid, Json.string(body, "token_label"), isActive,
                p.credentialUuid());
        ctx.json(tokenJson(updated, ""));
    }

    public void deleteToken(Context ctx) {
        Principal p = auth.requirePasswordSession(ctx);
        tokens.delete(p.account(), uuid(ctx), p.credentialUuid());
        ctx.status(204);
    }

    /** {@code GET /v2/auditlogs/{account}}: newest first, {@code {logs: [...]}} only, as Hub returns it. */
    public void auditLogs(Context ctx) {
        Account account = auditableAccount(ctx);
        Paging paging = Paging.from(ctx, 25, 100);
        Validation v = new Validation();
        OffsetDateTime from = null;
        OffsetDateTime to = null;
        try {
            from = time(ctx.queryParam("from"), "from");
        } catch (DomainException.Invalid e) {
            v.add("from", e.fields().get("from").get(0));
        }
        try {
            to = time(ctx.queryParam("to"), "to");
        } catch (DomainException.Invalid e) {
            v.add("to", e.fields().get("to").get(0));
        }
        v.throwIfInvalid();
        List<AuditEvent> events = audit.query(account.name(), new AuditLog.Filter(blankToNull(ctx.queryParam("action")),
                blankToNull(ctx.queryParam("name")), blankToNull(ctx.queryParam("actor")), from, to,
                paging.page(), paging.pageSize()));
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
    public void auditActions(Context ctx) {
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
        Principal p = auth.require(ctx);
        Optional<Account> account = accounts.find(ctx.pathParam("account"));
        if (account.isEmpty() || !accounts.isOwner(account.get(), p.account())) {
            throw new DomainException.Forbidden("You do not have permission to view this account's audit log.");
        }
        return account.get();
    }

    private static Map<String, Object> tokenJson(AccessToken t, String secret) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uuid", t.uuid().toString());
        out.put("client_id", t.clientId());
        out.put("creator_ip", t.creatorIp());
        out.put("creator_ua", t.creatorUa());
        out.put("created_at", Json.time(t.createdAt()));
        out.put("last_used", Json.time(t.lastUsed()));
        out.put("generated_by", t.generatedBy());
        out.put("is_active", t.active());
        out.put("token", secret);
        out.put("token_label", t.label());
        out.put("scopes", t.scopes());
        out.put("expires_at", Json.time(t.expiresAt()));
        return out;
    }

    /** The path's uuid; anything that is not a uuid is simply not found, never a 500. */
    private static UUID uuid(Context ctx) {
        String raw = ctx.pathParam("uuid");
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

    private static List<String> stringList(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw new DomainException.Invalid(field, "Expected a list of items.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new DomainException.Invalid(field, "Each item must be a string.");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static OffsetDateTime time(String raw, String field) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(raw.trim());
        } catch (DateTimeParseException e) {
            throw new DomainException.Invalid(field, "Datetime has wrong format. Use RFC 3339, e.g. 2030-01-01T00:00:00Z.");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
