package dev.wharf.dockerhub;

import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import io.javalin.http.Context;

/**
 * The Hub dialect's guard: resolves the caller from its {@code Authorization: Bearer|JWT <jwt>} header and checks
 * what the route needs ({@link HubAccess}). Handlers read the caller with {@link #principal}.
 */
final class HubAuth {
    private static final String PRINCIPAL = "wharf.hub.principal";

    private final Authenticator authenticator;

    HubAuth(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    void check(Context ctx, HubAccess access) {
        if (access == HubAccess.PUBLIC) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new DomainException.Unauthenticated("Authentication credentials were not provided.");
        }
        Principal principal = authenticator.fromAuthorization(header)
                .orElseThrow(() -> new DomainException.Unauthenticated("Invalid or expired token."));
        if (access == HubAccess.PASSWORD_SESSION && principal.viaToken()) {
            throw new DomainException.Forbidden("access tokens cannot be used for this operation");
        }
        ctx.attribute(PRINCIPAL, principal);
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
