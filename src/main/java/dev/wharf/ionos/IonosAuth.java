package dev.wharf.ionos;

import dev.wharf.access.AccessPolicy;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.credentials.TokenSecret;
import dev.wharf.http.BasicCredentials;
import dev.wharf.http.Requests;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * The IONOS dialect's guard, for the spec's two schemes: {@code Basic} with a user's password (or a personal token
 * as the password), and {@code Bearer} with a session JWT or a personal token. Only callers who may manage
 * credentials get past it; robots never do. Handlers read the caller with {@link #principal}.
 */
final class IonosAuth {
    private static final String PRINCIPAL = "wharf.ionos.principal";
    private static final String BAD_CREDENTIALS = "Incorrect authentication credentials";

    private final Authenticator authenticator;
    private final AccessPolicy policy;
    private final Requests requests;

    IonosAuth(Authenticator authenticator, AccessPolicy policy, Requests requests) {
        this.authenticator = authenticator;
        this.policy = policy;
        this.requests = requests;
    }

    void check(Context ctx, IonosAccess access) {
        Principal principal = authenticate(ctx.header("Authorization"), requests.clientIp(ctx));
        if (!policy.managesCredentials(principal, access == IonosAccess.READ)) {
            throw new DomainException.Forbidden("These credentials cannot be used to manage registries");
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    private Principal authenticate(String header, String ip) {
        if (header == null || header.isBlank()) {
            throw new DomainException.Unauthenticated("Authentication required");
        }
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String value = space < 0 ? "" : header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Basic")) {
            BasicCredentials credentials = BasicCredentials.decode(value)
                    .orElseThrow(() -> new DomainException.Unauthenticated(BAD_CREDENTIALS));
            return authenticator.signIn(credentials.user(), credentials.secret(), ip);
        }
        if (scheme.equalsIgnoreCase("Bearer") && !value.isEmpty()) {
            Optional<Principal> principal = TokenSecret.hasKnownPrefix(value) ? authenticator.fromSecret(value, ip)
                    : authenticator.fromAuthorization(header, ip);
            return principal.orElseThrow(() -> new DomainException.Unauthenticated(BAD_CREDENTIALS));
        }
        throw new DomainException.Unauthenticated(BAD_CREDENTIALS);
    }

    /** The caller the guard admitted. */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("the guard admitted no caller");
        }
        return principal;
    }
}
