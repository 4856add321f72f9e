package dev.wharf.dockerhub;

import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import io.javalin.http.Context;

/** Resolves the caller of a Hub API request from its {@code Authorization: Bearer|JWT <jwt>} header. */
final class HubAuth {
    private final Authenticator authenticator;

    HubAuth(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    Principal require(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new DomainException.Unauthenticated("Authentication credentials were not provided.");
        }
        return authenticator.fromAuthorization(header)
                .orElseThrow(() -> new DomainException.Unauthenticated("Invalid or expired token."));
    }

    /** Like {@link #require}, but refuses sessions made from an access token, as Docker Hub does for account work. */
    Principal requirePasswordSession(Context ctx) {
        Principal principal = require(ctx);
        if (principal.viaToken()) {
            throw new DomainException.Forbidden("access tokens cannot be used for this operation");
        }
        return principal;
    }
}
