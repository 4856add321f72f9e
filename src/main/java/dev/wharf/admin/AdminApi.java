package dev.wharf.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Membership;
import dev.wharf.accounts.Role;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.server.Json;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wharf's own admin API under {@code /api/v1}: users (site admins only), organizations and their members.
 * Callers authenticate with a session JWT from a password sign-in; token-derived sessions are refused.
 */
public final class AdminApi {
    private final Authenticator authenticator;
    private final Accounts accounts;

    public AdminApi(Authenticator authenticator, Accounts accounts) {
        this.authenticator = authenticator;
        this.accounts = accounts;
    }

    public void createUser(Context ctx) {
        Principal admin = siteAdmin(ctx);
        JsonNode body = Json.object(ctx);
        Account user = accounts.createUser(Json.string(body, "username"), Json.string(body, "password"),
                Json.string(body, "email"), false, admin.username());
        ctx.status(201).json(userJson(user));
    }

    public void listUsers(Context ctx) {
        siteAdmin(ctx);
        ctx.json(Map.of("results", accounts.users().stream().map(AdminApi::userJson).toList()));
    }

    public void deleteUser(Context ctx) {
        Principal admin = siteAdmin(ctx);
        accounts.deleteUser(ctx.pathParam("username"), admin.username());
        ctx.status(204);
    }

    public void createOrg(Context ctx) {
        Principal p = signedIn(ctx);
        JsonNode body = Json.object(ctx);
        Account org = accounts.createOrg(Json.string(body, "name"), p.account());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", org.uuid().toString());
        out.put("name", org.name());
        out.put("created_at", Json.time(org.createdAt()));
        ctx.status(201).json(out);
    }

    public void putMember(Context ctx) {
        Principal p = signedIn(ctx);
        JsonNode body = Json.object(ctx);
        String roleName = Json.string(body, "role");
        Role role = Role.parse(roleName);
        if (role == null) {
            throw new DomainException.Invalid("role", "Must be one of: owner, editor, member.");
        }
        Membership m = accounts.setMember(ctx.pathParam("org"), ctx.pathParam("username"), role, p.account());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("org", m.org());
        out.put("username", m.username());
        out.put("role", m.role().wireName());
        ctx.json(out);
    }

    public void deleteMember(Context ctx) {
        Principal p = signedIn(ctx);
        accounts.removeMember(ctx.pathParam("org"), ctx.pathParam("username"), p.account());
        ctx.status(204);
    }

    private Principal signedIn(Context ctx) {
        Principal p = authenticator.fromAuthorization(ctx.header("Authorization"))
                .orElseThrow(() -> new DomainException.Unauthenticated("authentication required"));
        if (p.viaToken()) {
            throw new DomainException.Forbidden("access tokens cannot be used for administrative operations");
        }
        return p;
    }

    private Principal siteAdmin(Context ctx) {
        Principal p = signedIn(ctx);
        if (!p.account().siteAdmin()) {
            throw new DomainException.Forbidden("site admin only");
        }
        return p;
    }

    private static Map<String, Object> userJson(Account a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", a.uuid().toString());
        out.put("username", a.name());
        out.put("email", a.email());
        out.put("site_admin", a.siteAdmin());
        out.put("date_joined", Json.time(a.createdAt()));
        return out;
    }
}
