package dev.wharf.gitlab;

import dev.wharf.access.AccessPolicy;
import dev.wharf.audit.Actor;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Scope;
import dev.wharf.credentials.TokenSecret;
import dev.wharf.http.Requests;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The GitLab dialect's guard. The caller is found, as GitLab's auth finders do, from the {@code PRIVATE-TOKEN}
 * header, the {@code private_token} query parameter, or {@code Authorization: Bearer}, which may also carry a Wharf
 * session JWT. Only personal tokens exist in this dialect: a robot secret is unknown here. A token that exists but
 * no longer works gets the OAuth guard's {@code invalid_token}; presented to a rotate route once revoked, it also
 * revokes every live token rotated from it (GitLab's reuse detection).
 */
final class GitlabAuth {
    private static final String PRINCIPAL = "wharf.gitlab.principal";
    /** Longer than any secret or session JWT Wharf issues; a longer value is not looked up. */
    private static final int MAX_SECRET = 4096;

    private final Authenticator authenticator;
    private final Credentials credentials;
    private final AccessPolicy policy;
    private final Requests requests;
    private final Clock clock;

    GitlabAuth(Authenticator authenticator, Credentials credentials, AccessPolicy policy, Requests requests,
               Clock clock) {
        this.authenticator = authenticator;
        this.credentials = credentials;
        this.policy = policy;
        this.requests = requests;
        this.clock = clock;
    }

    void check(Context ctx, GitlabAccess access) {
        Principal principal = authenticate(ctx, access);
        switch (access) {
            case READ -> requireManagement(principal, true);
            case WRITE, ROTATE -> requireManagement(principal, false);
            case SELF -> selfToken(principal);
            case SELF_ROTATE -> {
                Credential self = selfToken(principal);
                if (!self.has(Scope.API) && !self.has(Scope.SELF_ROTATE)) {
                    throw GitlabErrors.insufficientScope(List.of("api", "self_rotate"));
                }
            }
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    /** The caller the guard admitted. */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("the route declares no access");
        }
        return principal;
    }

    /** The personal token the request authenticated with; a password session has none (GitLab's 400). */
    static Credential selfToken(Principal principal) {
        if (principal.credential() == null) {
            throw GitlabErrors.badRequest("This endpoint requires token type to be a personal access token");
        }
        return principal.credential();
    }

    private void requireManagement(Principal principal, boolean readOnly) {
        if (!policy.managesCredentials(principal, readOnly)) {
            throw GitlabErrors.insufficientScope(readOnly ? List.of("api", "read_api") : List.of("api"));
        }
    }

    private Principal authenticate(Context ctx, GitlabAccess access) {
        String ip = requests.clientIp(ctx);
        String secret = firstPresent(ctx.header("PRIVATE-TOKEN"), ctx.queryParam("private_token"));
        if (secret == null) {
            String header = ctx.header("Authorization");
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new DomainException.Unauthenticated("401 Unauthorized");
            }
            String bearer = header.substring(7).trim();
            if (!TokenSecret.hasKnownPrefix(bearer)) {
                return authenticator.fromJwt(bearer, ip).filter(p -> !p.isRobot())
                        .orElseThrow(() -> new DomainException.Unauthenticated("401 Unauthorized"));
            }
            secret = bearer;
        }
        if (secret.length() > MAX_SECRET) {
            throw new DomainException.Unauthenticated("401 Unauthorized");
        }
        Optional<Principal> principal = authenticator.fromSecret(secret, ip).filter(p -> !p.isRobot());
        if (principal.isPresent()) {
            return principal.get();
        }
        throw refusal(secret, access);
    }

    /**
     * Why a personal token that exists does not authenticate: revoked (and, on a rotate route, its descendants
     * revoked with it), or expired. Anything else, a deactivated token included, is a plain 401.
     */
    private RuntimeException refusal(String secret, GitlabAccess access) {
        Optional<Credential> known = credentials.identify(secret).filter(c -> !c.isRobot());
        if (known.isEmpty()) {
            return new DomainException.Unauthenticated("401 Unauthorized");
        }
        Credential token = known.get();
        OffsetDateTime now = Timestamps.now(clock);
        if (token.isRevoked(now) || token.deleted()) {
            if (access.rotates()) {
                credentials.revokeDescendants(token, Actor.SYSTEM);
            }
            return GitlabErrors.invalidToken(GitlabErrors.REVOKED);
        }
        if (token.isExpired(now)) {
            return GitlabErrors.invalidToken(GitlabErrors.EXPIRED);
        }
        return new DomainException.Unauthenticated("401 Unauthorized");
    }

    private static String firstPresent(String header, String query) {
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        return query == null || query.isBlank() ? null : query.trim();
    }
}
