package dev.wharf.gitlab;

import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.config.Durations;
import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.CredentialQuery;
import dev.wharf.credentials.CredentialRules;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Scope;
import dev.wharf.http.QueryTimes;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * GitLab's personal access tokens API ({@code /api/v4/personal_access_tokens}) and its two creation endpoints of
 * the user tokens API, translated to {@link Credentials}. Only personal tokens exist here; GitLab's impersonation
 * tokens do not exist in Wharf. Ids are the credentials' integer ids, {@code user_id} the owner's account id.
 */
public final class GitlabApi {
    /** {@code created_at} and {@code last_used_at} as GitLab writes them: UTC with milliseconds. */
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
    private static final Map<String, CredentialQuery.Sort> SORTS = Map.of(
            "created_asc", CredentialQuery.Sort.OLDEST,
            "created_desc", CredentialQuery.Sort.CREATED_DESC,
            "expires_asc", CredentialQuery.Sort.EXPIRES_ASC,
            "expires_desc", CredentialQuery.Sort.EXPIRES_DESC,
            "last_used_asc", CredentialQuery.Sort.LAST_USED_ASC,
            "last_used_desc", CredentialQuery.Sort.LAST_USED_DESC,
            "name_asc", CredentialQuery.Sort.NAME_ASC,
            "name_desc", CredentialQuery.Sort.NAME_DESC);
    private static final Set<String> TRUE = Set.of("true", "t", "1", "yes", "y", "on");
    private static final Set<String> FALSE = Set.of("false", "f", "0", "no", "n", "off");
    /** GitLab's search matches a substring from this length on, and the whole name below it. */
    private static final int SUBSTRING_SEARCH = 3;
    /** GitLab's expiry when one is required and none is given: a year on create, a week on rotate. */
    private static final Duration CREATE_DEFAULT_LIFETIME = Duration.ofDays(365);
    private static final Duration ROTATE_DEFAULT_LIFETIME = Duration.ofDays(7);
    private static final String CLIENT_ID = "GITLAB";

    private final GitlabAuth auth;
    private final Credentials credentials;
    private final Accounts accounts;
    private final Requests requests;
    private final Clock clock;

    public GitlabApi(Authenticator authenticator, Credentials credentials, Accounts accounts, AccessPolicy policy,
                     Requests requests, Clock clock) {
        this.auth = new GitlabAuth(authenticator, credentials, policy, requests, clock);
        this.credentials = credentials;
        this.accounts = accounts;
        this.requests = requests;
        this.clock = clock;
    }

    GitlabAuth guard() {
        return auth;
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** {@code GET /personal_access_tokens}: an admin's view is the instance, anyone else's their own tokens. */
    void list(Context ctx) {
        Principal p = GitlabAuth.principal(ctx);
        GitlabParams params = GitlabParams.query(ctx);
        GitlabPaging paging = GitlabPaging.from(ctx);
        CredentialQuery q = CredentialQuery.of(Credential.Kind.PERSONAL).includeDeleted()
                .owner(listedOwner(p, params.text("user_id")))
                .revoked(bool(params.text("revoked"), "revoked"))
                .usable(state(params.text("state")))
                .created(time(params, "created_before"), time(params, "created_after"))
                .lastUsed(time(params, "last_used_before"), time(params, "last_used_after"))
                .expires(date(params, "expires_before"), date(params, "expires_after"))
                .sort(SORTS.getOrDefault(Optional.ofNullable(params.text("sort")).orElse(""),
                        CredentialQuery.Sort.ID_ASC))
                .page(paging.offset(), paging.perPage());
        String search = params.text("search");
        if (search != null && !search.isEmpty()) {
            q.name(search.length() >= SUBSTRING_SEARCH ? search : null,
                    search.length() < SUBSTRING_SEARCH ? search : null);
        }
        Credentials.Page page = credentials.list(q);
        paging.writeHeaders(ctx, requests.baseUrl(ctx) + ctx.path(), page.total());
        ctx.json(page.items().stream().map(t -> entity(t, null)).toList());
    }

    void get(Context ctx) {
        ctx.json(entity(readable(ctx), null));
    }

    void getSelf(Context ctx) {
        Principal p = GitlabAuth.principal(ctx);
        ctx.json(entity(current(GitlabAuth.selfToken(p)), null));
    }

    // ------------------------------------------------------------------------------------------------ revoking

    /**
     * {@code DELETE /personal_access_tokens/:id}: revokes, and the token stays listed as revoked. As GitLab: an
     * unknown id is 404, another user's token is a bare 400 for a non-admin, and revoking again is a 204 again.
     */
    void revoke(Context ctx) {
        Principal p = GitlabAuth.principal(ctx);
        Credential token = byId(ctx).orElseThrow(() -> GitlabErrors.notFound("Personal Access Token"));
        if (!p.account().siteAdmin() && token.ownerId() != p.account().id()) {
            throw GitlabErrors.badRequest(null);
        }
        credentials.revoke(token, false, p.actor(), null);
        ctx.status(204);
    }

    void revokeSelf(Context ctx) {
        Principal p = GitlabAuth.principal(ctx);
        credentials.revoke(GitlabAuth.selfToken(p), false, p.actor(), null);
        ctx.status(204);
    }

    // ------------------------------------------------------------------------------------------------ rotating

    void rotate(Context ctx) {
        rotated(ctx, readable(ctx));
    }

    void rotateSelf(Context ctx) {
        rotated(ctx, GitlabAuth.selfToken(GitlabAuth.principal(ctx)));
    }

    /**
     * Rotates with {@code expires_at} (query or body; GitLab's week when expiry is required and none is given) and
     * Wharf's {@code grace}: how long the old secret keeps working, {@code 1h}, {@code 30m} or seconds, at most 24 h.
     */
    private void rotated(Context ctx, Credential token) {
        Principal p = GitlabAuth.principal(ctx);
        GitlabParams params = GitlabParams.of(ctx, requests);
        OffsetDateTime expires = expiryOrDefault(params, ROTATE_DEFAULT_LIFETIME);
        Duration grace = grace(params.text("grace"));
        Credentials.Created created = inGitlabWords(() -> credentials.rotate(token, expires, grace,
                origin(ctx), p.actor()));
        ctx.json(entity(created.credential(), created.secret()));
    }

    // ------------------------------------------------------------------------------------------------ creating

    /** {@code POST /users/:user_id/personal_access_tokens}: a site admin creates a token for any user. */
    void createForUser(Context ctx) {
        Principal p = GitlabAuth.principal(ctx);
        if (!p.account().siteAdmin()) {
            throw new DomainException.Forbidden("403 Forbidden");
        }
        String raw = Routed.parameter(ctx, "user_id");
        if (!raw.matches("\\d{1,18}")) {
            throw GitlabErrors.parameter("user_id", "is invalid");
        }
        Account user = accounts.findById(Long.parseLong(raw)).filter(a -> !a.isOrg())
                .orElseThrow(() -> GitlabErrors.notFound("User"));
        created(ctx, p, user);
    }

    /** {@code POST /user/personal_access_tokens}: a user creates a token for themselves. */
    void createForSelf(Context ctx) {
        Principal p = GitlabAuth.principal(ctx);
        created(ctx, p, p.account());
    }

    private void created(Context ctx, Principal p, Account owner) {
        GitlabParams params = GitlabParams.of(ctx, requests);
        String name = params.text("name");
        if (name == null) {
            throw GitlabErrors.parameter("name", "is missing");
        } else if (name.isBlank()) {
            throw GitlabErrors.parameter("name", "is empty");
        } else if (name.length() > Credentials.MAX_NAME) {
            throw GitlabErrors.badRequest("Name is too long (maximum is " + Credentials.MAX_NAME + " characters)");
        }
        String description = params.text("description");
        if (description != null && description.length() > Credentials.MAX_DESCRIPTION) {
            throw GitlabErrors.badRequest("Description is too long (maximum is " + Credentials.MAX_DESCRIPTION
                    + " characters)");
        }
        List<String> names = params.list("scopes");
        if (names.isEmpty()) {
            throw GitlabErrors.parameter("scopes", "is missing");
        }
        List<Scope> scopes = GitlabScopes.parse(names);
        requireHeldBy(p, scopes);
        OffsetDateTime expires = expiryOrDefault(params, CREATE_DEFAULT_LIFETIME);
        Credentials.Created created = inGitlabWords(() -> credentials.create(owner,
                Credentials.Draft.personal(name, description, scopes, expires), origin(ctx), p.actor(), false));
        ctx.status(201).json(entity(created.credential(), created.secret()));
    }

    /**
     * A token may create tokens only within its own registry access: a management token without repository scopes
     * cannot mint one that pushes. A password session may create any.
     */
    private static void requireHeldBy(Principal p, List<Scope> requested) {
        Credential caller = p.credential();
        if (caller == null) {
            return;
        }
        Scope wanted = Scope.strongestRepository(requested);
        Scope held = caller.repositoryScope();
        if (wanted != null && (held == null || !held.implies(wanted))) {
            throw GitlabErrors.badRequest("Scopes can only include registry access the authenticating token has");
        }
    }

    // ------------------------------------------------------------------------------------------------ entity

    /** GitLab's {@code PersonalAccessToken} entity, its fields in GitLab's order; {@code token} only when given. */
    private Map<String, Object> entity(Credential t, String secret) {
        OffsetDateTime now = Timestamps.now(clock);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.id());
        out.put("name", t.name());
        out.put("revoked", t.deleted() || t.isRevoked(now));
        out.put("created_at", millis(t.createdAt()));
        out.put("description", t.description());
        out.put("scopes", GitlabScopes.view(t.scopes()));
        out.put("user_id", t.ownerId());
        out.put("last_used_at", millis(t.lastUsedAt()));
        out.put("last_used_ips", t.lastUsedIps());
        out.put("active", t.isUsable(now));
        out.put("expires_at", t.expiresAt() == null ? null
                : t.expiresAt().withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().toString());
        if (secret != null) {
            out.put("token", secret);
        }
        return out;
    }

    private static String millis(OffsetDateTime t) {
        return t == null ? null : MILLIS.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * The token named by the path's id, for reading or rotating: an admin sees any (404 when there is none); anyone
     * else only their own, and another's or a missing one is a 401, so that ids of other users' tokens leak nothing.
     */
    private Credential readable(Context ctx) {
        Principal p = GitlabAuth.principal(ctx);
        Optional<Credential> token = byId(ctx);
        if (p.account().siteAdmin()) {
            return token.orElseThrow(() -> GitlabErrors.notFound("Personal Access Token"));
        }
        return token.filter(t -> t.ownerId() == p.account().id())
                .orElseThrow(() -> new DomainException.Unauthenticated("401 Unauthorized"));
    }

    /** The personal token with the path's id; an id that is not a number names no token. */
    private Optional<Credential> byId(Context ctx) {
        String raw = Routed.parameter(ctx, "id");
        if (!raw.matches("\\d{1,18}")) {
            return Optional.empty();
        }
        return credentials.findById(Long.parseLong(raw)).filter(t -> !t.isRobot());
    }

    /** The token as stored now (the principal's copy may predate the request's own changes). */
    private Credential current(Credential token) {
        return credentials.findById(token.id()).orElse(token);
    }

    /** Whose tokens a listing shows: an admin's {@code user_id} (404 for no such user), else the caller's own. */
    private Long listedOwner(Principal p, String userId) {
        if (userId == null) {
            return p.account().siteAdmin() ? null : p.account().id();
        }
        Optional<Account> user = userId.matches("\\d{1,18}") ? accounts.findById(Long.parseLong(userId))
                : userId.isBlank() || userId.length() > 64 ? Optional.empty() : accounts.find(userId.trim());
        user = user.filter(a -> !a.isOrg());
        if (!p.account().siteAdmin()) {
            if (user.isEmpty() || user.get().id() != p.account().id()) {
                throw new DomainException.Unauthenticated("401 Unauthorized");
            }
            return p.account().id();
        }
        return user.map(Account::id).orElseThrow(() -> GitlabErrors.notFound("User"));
    }

    private static Boolean bool(String raw, String name) {
        if (raw == null) {
            return null;
        }
        String value = raw.trim().toLowerCase(Locale.ROOT);
        if (TRUE.contains(value)) {
            return true;
        } else if (FALSE.contains(value)) {
            return false;
        }
        throw GitlabErrors.parameter(name, "is invalid");
    }

    /** {@code state}: active is not revoked and not expired (nor switched off through the Hub), inactive the rest. */
    private static Boolean state(String raw) {
        if (raw == null) {
            return null;
        }
        return switch (raw) {
            case "active" -> true;
            case "inactive" -> false;
            default -> throw GitlabErrors.parameter("state", "does not have a valid value");
        };
    }

    private static OffsetDateTime time(GitlabParams params, String name) {
        try {
            return QueryTimes.parse(params.text(name), name);
        } catch (DomainException.Invalid e) {
            throw GitlabErrors.parameter(name, "is invalid");
        }
    }

    /** A date parameter, as midnight UTC: GitLab's expiry dates mean the start of that day. */
    private static OffsetDateTime date(GitlabParams params, String name) {
        OffsetDateTime t = time(params, name);
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().atStartOfDay()
                .atOffset(ZoneOffset.UTC);
    }

    /**
     * {@code expires_at} (a date, {@code YYYY-MM-DD}) as the start of that day, UTC, when GitLab's tokens expire.
     * Absent, it is none, unless the site requires one: then GitLab's default lifetime, cut to the site's longest.
     */
    private OffsetDateTime expiryOrDefault(GitlabParams params, Duration defaultLifetime) {
        String raw = params.text("expires_at");
        if (raw != null && !raw.isBlank()) {
            try {
                return LocalDate.parse(raw.trim()).atStartOfDay().atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw GitlabErrors.parameter("expires_at", "is invalid");
            }
        }
        CredentialRules rules = credentials.rules();
        if (!rules.requireExpiry()) {
            return null;
        }
        OffsetDateTime now = Timestamps.now(clock);
        OffsetDateTime latest = rules.latestExpiry(now);
        OffsetDateTime wanted = now.plus(defaultLifetime);
        return (latest != null && latest.isBefore(wanted) ? latest : wanted)
                .withOffsetSameInstant(ZoneOffset.UTC).toLocalDate().atStartOfDay().atOffset(ZoneOffset.UTC);
    }

    /** {@code grace}: {@code 90s}, {@code 30m}, {@code 1h} or a number of seconds; none is no grace. */
    private static Duration grace(String raw) {
        if (raw == null || raw.isBlank()) {
            return Duration.ZERO;
        }
        String value = raw.trim();
        Optional<Duration> parsed = value.matches("\\d{1,9}") ? Optional.of(Duration.ofSeconds(Long.parseLong(value)))
                : Durations.shortForm(value);
        Duration grace = parsed.orElseThrow(() -> GitlabErrors.parameter("grace", "is invalid"));
        if (grace.compareTo(CredentialRules.MAX_GRACE) > 0) {
            throw GitlabErrors.badRequest("grace must be at most 24 hours");
        }
        return grace;
    }

    /** The domain's refusals of an expiry or a rotation, in GitLab's words. */
    private <T> T inGitlabWords(Supplier<T> call) {
        try {
            return call.get();
        } catch (DomainException.Invalid e) {
            throw switch (e.reason()) {
                case EXPIRY_TOO_LATE -> GitlabErrors.badRequest("Expires at must be before "
                        + latestDate().plusDays(1));
                case EXPIRY_PAST -> GitlabErrors.badRequest("Expires at cannot be in the past");
                case EXPIRY_REQUIRED -> GitlabErrors.badRequest("Expires at can't be blank");
                case CREDENTIAL_REVOKED -> GitlabErrors.badRequest("Token already revoked");
                default -> e;
            };
        } catch (DomainException.Conflict e) {
            throw e.reason() == Reason.CREDENTIAL_LIMIT ? GitlabErrors.badRequest(e.getMessage()) : e;
        }
    }

    private LocalDate latestDate() {
        OffsetDateTime latest = credentials.rules().latestExpiry(Timestamps.now(clock));
        return latest == null ? LocalDate.MAX : latest.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    }

    private Credentials.Origin origin(Context ctx) {
        return new Credentials.Origin(requests.clientIp(ctx), ctx.userAgent(), CLIENT_ID);
    }
}
