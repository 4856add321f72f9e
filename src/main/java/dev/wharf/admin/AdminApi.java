package dev.wharf.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Membership;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.accounts.Role;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.config.Durations;
import dev.wharf.core.DomainException;
import dev.wharf.core.RateLimiter;
import dev.wharf.core.Validation;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.Credentials;
import dev.wharf.http.Json;
import dev.wharf.http.QueryTimes;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Wharf's own admin API under {@code /api/v1}: users (site admins only), organizations and their members, the
 * verified-publisher mark (site admins only), credential rotation, and the report of leaked secrets (anyone).
 * Callers authenticate with a session JWT from a password sign-in; token-derived sessions are refused, except on the
 * credential routes, which a session from a personal token with {@code api} may use.
 */
public final class AdminApi {
    private static final String PRINCIPAL = "wharf.admin.principal";
    /** Secrets one leak report may hold, as GitHub's credential revocation API. */
    static final int MAX_LEAKED = 1000;
    /** The longest candidate looked at; Wharf's secrets have 52 characters. */
    static final int MAX_LEAKED_LENGTH = 100;
    /** Leak reports one client address may send per hour, as GitHub allows unauthenticated callers. */
    public static final int LEAK_REPORTS_PER_HOUR = 60;
    /** Room for {@link #MAX_LEAKED} quoted, escaped candidates of the longest length, and some white space. */
    private static final long MAX_LEAK_REPORT_BYTES = (long) MAX_LEAKED * (MAX_LEAKED_LENGTH + 8) + 1024;
    /** Longer than any sensible way of writing at most a day. */
    private static final int MAX_GRACE_TEXT = 32;

    private final Authenticator authenticator;
    private final Accounts accounts;
    private final Credentials credentials;
    private final AccessPolicy policy;
    private final NamespaceSettingsStore namespaces;
    private final Requests requests;
    private final RateLimiter leakReports;

    public AdminApi(Authenticator authenticator, Accounts accounts, Credentials credentials, AccessPolicy policy,
                    NamespaceSettingsStore namespaces, RateLimiter leakReports, Requests requests, Clock clock) {
        this.authenticator = authenticator;
        this.accounts = accounts;
        this.credentials = credentials;
        this.policy = policy;
        this.namespaces = namespaces;
        this.requests = requests;
        this.leakReports = leakReports;
    }

    /** What an admin route needs from its caller. */
    enum Access {
        /** Anyone, signed in or not. */
        PUBLIC,
        /** A session signed in with a password. */
        SIGNED_IN,
        /** The same, of a site admin. */
        SITE_ADMIN,
        /** A session that may manage credentials: a password sign-in, or a personal token with {@code api}. */
        MANAGES_CREDENTIALS
    }

    private record NewUser(String username, String password, String email) {
    }

    private record NewOrg(String name) {
    }

    private record MemberRole(String role) {
    }

    /** Secrets someone found exposed, in the field GitHub's credential revocation API names. */
    private record LeakReport(List<String> credentials) {
    }

    private record Rotation(@JsonProperty("expires_at") String expiresAt, String grace) {
    }

    /** The admin dialect's guard. */
    void check(Context ctx, Access access) {
        if (access == Access.PUBLIC) {
            return;
        }
        Principal p = authenticator.fromAuthorization(ctx.header("Authorization"), requests.clientIp(ctx))
                .orElseThrow(() -> new DomainException.Unauthenticated("authentication required"));
        if (access == Access.MANAGES_CREDENTIALS) {
            if (!policy.managesCredentials(p, false)) {
                throw new DomainException.Forbidden("this access token cannot manage credentials");
            }
        } else if (p.viaCredential()) {
            throw new DomainException.Forbidden("access tokens cannot be used for administrative operations");
        }
        if (access == Access.SITE_ADMIN && !p.account().siteAdmin()) {
            throw new DomainException.Forbidden("site admin only");
        }
        ctx.attribute(PRINCIPAL, p);
    }

    static Principal caller(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    void createUser(Context ctx) {
        NewUser body = requests.body(ctx, NewUser.class);
        Account user = accounts.createUser(body.username(), body.password(), body.email(), false,
                caller(ctx).actor());
        ctx.status(201).json(userJson(user));
    }

    void listUsers(Context ctx) {
        ctx.json(Map.of("results", accounts.users().stream().map(AdminApi::userJson).toList()));
    }

    void deleteUser(Context ctx) {
        accounts.deleteUser(Routed.parameter(ctx, "username"), caller(ctx).actor());
        ctx.status(204);
    }

    void createOrg(Context ctx) {
        Principal p = caller(ctx);
        NewOrg body = requests.body(ctx, NewOrg.class);
        Account org = accounts.createOrg(body.name(), p.account(), p.actor());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", org.uuid().toString());
        out.put("name", org.name());
        out.put("created_at", Json.time(org.createdAt()));
        ctx.status(201).json(out);
    }

    void putMember(Context ctx) {
        MemberRole body = requests.body(ctx, MemberRole.class);
        Role role = Role.parse(body.role());
        if (role == null) {
            throw new DomainException.Invalid("role", "Must be one of: owner, editor, member.");
        }
        Membership m = accounts.setMember(administeredOrg(ctx), Routed.parameter(ctx, "username"), role,
                caller(ctx).actor());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("org", m.org());
        out.put("username", m.username());
        out.put("role", m.role().wireName());
        ctx.json(out);
    }

    void deleteMember(Context ctx) {
        accounts.removeMember(administeredOrg(ctx), Routed.parameter(ctx, "username"), caller(ctx).actor());
        ctx.status(204);
    }

    /**
     * {@code PUT /api/v1/namespaces/{name}/verified-publisher}: marks an organization as a verified publisher, whose
     * images the organizations that restrict images to verified publishers let their members pull. Site admins only.
     */
    void markVerifiedPublisher(Context ctx) {
        ctx.json(verifiedPublisherJson(setVerifiedPublisher(ctx, true)));
    }

    /** {@code DELETE …/verified-publisher}: removes the mark; 204. */
    void unmarkVerifiedPublisher(Context ctx) {
        setVerifiedPublisher(ctx, false);
        ctx.status(204);
    }

    private Account setVerifiedPublisher(Context ctx, boolean verified) {
        Account org = accounts.org(Routed.parameter(ctx, "name"));
        namespaces.setVerifiedPublisher(org, verified, caller(ctx).actor());
        return org;
    }

    private Map<String, Object> verifiedPublisherJson(Account org) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", org.name());
        out.put("verified_publisher", namespaces.get(org.id()).verifiedPublisher());
        return out;
    }

    /**
     * Revokes the reported secrets that are Wharf's and still work, each audited in its owner's log. The answer is
     * the same whatever was found, so the endpoint tells nobody whether a string is a live secret; checksums are
     * checked before any lookup, so made-up candidates cost no database work.
     */
    void revokeLeaked(Context ctx) {
        leakReports.acquire(requests.clientIp(ctx));
        LeakReport body = requests.body(ctx, LeakReport.class, MAX_LEAK_REPORT_BYTES);
        List<String> leaked = body.credentials();
        Validation v = new Validation();
        v.check(leaked != null && !leaked.isEmpty(), "credentials", "At least one credential is required.");
        v.check(leaked == null || leaked.size() <= MAX_LEAKED, "credentials",
                "At most " + MAX_LEAKED + " credentials per request.");
        v.check(leaked == null || leaked.stream().allMatch(s -> s.length() <= MAX_LEAKED_LENGTH), "credentials",
                "A credential has at most " + MAX_LEAKED_LENGTH + " characters.");
        v.throwIfInvalid();
        var unused = credentials.revokeLeaked(leaked);
        ctx.status(202).json(Map.of());
    }

    /**
     * {@code POST /api/v1/credentials/{uuid}/rotate}: a new secret for a personal token or robot, answered once. The
     * old secret keeps working for {@code grace} (at most 24 h, default none). {@code expires_at} and {@code grace}
     * come from the JSON body or, failing that, the query. Only the token's owner, or an owner of the robot's
     * organization, may rotate it; to anyone else it does not exist.
     */
    void rotateCredential(Context ctx) {
        Principal p = caller(ctx);
        Credential old = administeredCredential(ctx);
        Rotation body = hasBody(ctx) ? requests.body(ctx, Rotation.class) : new Rotation(null, null);
        OffsetDateTime expires = QueryTimes.parse(firstOf(body.expiresAt(), ctx.queryParam("expires_at")),
                "expires_at");
        Duration grace = grace(firstOf(body.grace(), ctx.queryParam("grace")));
        Credentials.Created created = credentials.rotate(old, expires, grace,
                new Credentials.Origin(requests.clientIp(ctx), ctx.userAgent(), "WHARF"), p.actor());
        Credential c = created.credential();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uuid", c.uuid().toString());
        out.put("name", c.name());
        out.put("owner", c.ownerName());
        out.put("kind", c.isRobot() ? "robot" : "personal");
        out.put("token", created.secret());
        out.put("created_at", Json.time(c.createdAt()));
        out.put("expires_at", Json.time(c.expiresAt()));
        out.put("rotated_from", old.uuid().toString());
        out.put("previous_valid_until", Json.time(c.createdAt().plus(grace)));
        ctx.status(201).json(out);
    }

    /** The credential in the path, if the caller administers its owner; otherwise, as an unknown one, 404. */
    private Credential administeredCredential(Context ctx) {
        String raw = Routed.parameter(ctx, "uuid");
        UUID uuid;
        try {
            uuid = UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw new DomainException.NotFound("credential not found");
        }
        return credentials.find(uuid).filter(c -> !c.deleted() && uuid.toString().equalsIgnoreCase(raw))
                .filter(c -> accounts.findById(c.ownerId()).filter(o -> policy.administers(caller(ctx), o))
                        .isPresent())
                .orElseThrow(() -> new DomainException.NotFound("credential not found"));
    }

    static boolean hasBody(Context ctx) {
        return ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
    }

    private static String firstOf(String body, String query) {
        return body != null ? body : query;
    }

    /** A grace window such as {@code 1h}, {@code 90m} or {@code PT1H}; none when absent. */
    private static Duration grace(String raw) {
        if (raw == null || raw.isBlank()) {
            return Duration.ZERO;
        }
        try {
            if (raw.length() <= MAX_GRACE_TEXT) {
                return Durations.parse(raw);
            }
        } catch (DateTimeException | ArithmeticException e) {
            // falls through to the one message for every malformed value
        }
        throw new DomainException.Invalid("grace", "Must be a duration such as 1h or 30m, at most 24h.");
    }

    /** The org in the path, if the caller administers it (owners do). */
    private Account administeredOrg(Context ctx) {
        Account org = accounts.org(Routed.parameter(ctx, "org"));
        if (!policy.administers(caller(ctx), org)) {
            throw new DomainException.Forbidden("only organization owners may manage members");
        }
        return org;
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
