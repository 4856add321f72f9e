package dev.wharf.dockerhub;

import dev.wharf.access.AccessPolicy;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.http.Requests;
import dev.wharf.core.Timestamps;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The Hub dialect's guard: resolves the caller from its {@code Authorization: Bearer|JWT <jwt>} header and checks
 * what the route needs ({@link HubAccess}). Handlers read the caller with {@link #principal}.
 */
final class HubAuth {
    private static final String PRINCIPAL = "wharf.hub.principal";
    private static final String STARTED = "wharf.hub.started";

    private final Authenticator authenticator;
    private final AccessPolicy policy;
    private final Requests requests;
    private final Clock clock;

    HubAuth(Authenticator authenticator, AccessPolicy policy, Requests requests, Clock clock) {
        this.authenticator = authenticator;
        this.policy = policy;
        this.requests = requests;
        this.clock = clock;
    }

    void check(Context ctx, HubAccess access) {
        ctx.attribute(STARTED, Timestamps.now(clock));
        if (access == HubAccess.PUBLIC) {
            return;
        }
        String header = ctx.header("Authorization");
        if (access == HubAccess.ANYONE && (header == null || header.isBlank())) {
            return;
        }
        if (header == null || header.isBlank()) {
            throw new DomainException.Unauthenticated("Authentication credentials were not provided.");
        }
        Principal principal = authenticator.fromAuthorization(header, requests.clientIp(ctx))
                .orElseThrow(() -> new DomainException.Unauthenticated("Invalid or expired token."));
        if ((access == HubAccess.CREDENTIALS_READ && !policy.managesCredentials(principal, true))
                || (access == HubAccess.CREDENTIALS_WRITE && !policy.managesCredentials(principal, false))) {
            throw new DomainException.Forbidden("access tokens cannot be used for this operation");
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    /** The caller of an {@link HubAccess#ANYONE} route: who signed in, or null for an anonymous caller. */
    static Principal caller(Context ctx) {
        return ctx.attribute(PRINCIPAL);
    }

    /** The caller the guard admitted, if it admitted one (none for public routes and unmatched paths). */
    static Optional<Principal> admitted(Context ctx) {
        return Optional.ofNullable(ctx.attribute(PRINCIPAL));
    }

    /** When the guard first saw the request, if it did. */
    static Optional<OffsetDateTime> started(Context ctx) {
        return Optional.ofNullable(ctx.attribute(STARTED));
    }

    /** The caller the guard admitted. */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("the route declares no signed-in access");
        }
        return principal;
    }
}
