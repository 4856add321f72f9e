package dev.wharf.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.server.Requests;
import dev.wharf.tokens.TokenSecret;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization of registry requests, in layers: {@link #authenticate} turns the
 * {@code Authorization} header into a {@link Caller} (one switch over credential kinds); {@link #authorize} checks the
 * actions a request needs against what that caller may do. Clients learn only "unauthorized" or "denied"; the debug log
 * says why.
 */
final class RegistryAuth {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuth.class);
    /** A PAT sent as Basic credentials is looked up once a minute at most; its state is re-checked every request. */
    private static final Duration BASIC_PAT_CACHE = Duration.ofMinutes(1);

    private final Authenticator authenticator;
    private final RegistryTokens registryTokens;
    private final AccessControl access;
    private final Requests requests;
    /** SHA-256 of {@code user:secret} of a PAT that authenticated, to its token uuid and owner. */
    private final Cache<String, PatIdentity> basicPats = Caffeine.newBuilder()
            .expireAfterWrite(BASIC_PAT_CACHE).maximumSize(100_000).build();

    private record PatIdentity(UUID token, long ownerId) {
    }

    RegistryAuth(Authenticator authenticator, RegistryTokens registryTokens, AccessControl access,
                 Requests requests) {
        this.authenticator = authenticator;
        this.registryTokens = registryTokens;
        this.access = access;
        this.requests = requests;
    }

    /** Who is calling. Credentials that are present but do not authenticate get 401, never a fallback to anonymous. */
    Caller authenticate(Context ctx) {
        List<String> headers = Collections.list(ctx.req().getHeaders("Authorization"));
        if (headers.isEmpty()) {
            return Caller.ANONYMOUS_CALLER;
        }
        if (headers.size() > 1) {
            throw unauthorized(ctx, null, "invalid_request", "more than one Authorization header");
        }
        String header = headers.get(0);
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String value = space < 0 ? "" : header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            // A registry token from /token: what it grants was decided when it was issued.
            return bearer(value).orElseThrow(() -> unauthorized(ctx, null, "invalid_token", "invalid token"));
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            // A username with a password or a personal access token, sent on every request.
            return new Caller(Caller.Kind.BASIC, basic(value, requests.clientIp(ctx)), null);
        }
        throw unauthorized(ctx, null, null, "unsupported authorization scheme");
    }

    /**
     * Signs in with {@code Basic} credentials: a password (slow hash, throttled) or a PAT (SHA-256 lookup, then
     * cached by the digest of the credentials so that repeated requests skip the database).
     */
    Principal basic(String encoded, String clientIp) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(OciError.UNAUTHORIZED, "malformed basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new RegistryException(OciError.UNAUTHORIZED, "malformed basic credentials");
        }
        String username = decoded.substring(0, colon);
        String secret = decoded.substring(colon + 1);
        String key = secret.startsWith(TokenSecret.PAT_PREFIX) ? TokenSecret.sha256(decoded) : null;
        if (key != null) {
            PatIdentity known = basicPats.getIfPresent(key);
            if (known != null) {
                Optional<Principal> p = authenticator.resume(known.ownerId(), null, known.token());
                if (p.isPresent()) {
                    return p.get();
                }
                basicPats.invalidate(key);
            }
        }
        Principal principal = authenticator.signIn(username, secret, clientIp);
        if (key != null && principal.viaToken()) {
            basicPats.put(key, new PatIdentity(principal.token().uuid(), principal.account().id()));
        }
        return principal;
    }

    private Optional<Caller> bearer(String jwt) {
        Optional<RegistryTokens.Grant> grant = registryTokens.verify(jwt);
        if (grant.isEmpty()) {
            LOG.debug("registry token refused: signature, type or expiry");
            return Optional.empty();
        }
        RegistryTokens.Grant g = grant.get();
        if (g.uid() == null) {
            return Optional.of(new Caller(Caller.Kind.BEARER, null, g));
        }
        Optional<Principal> p = authenticator.resume(g.uid(), g.subject(), g.pat());
        if (p.isEmpty()) {
            LOG.debug("registry token refused: its account is gone or its access token no longer works");
        }
        return p.map(principal -> new Caller(Caller.Kind.BEARER, principal, g));
    }

    /**
     * Refuses the request unless the caller may do every one of {@code needed} on {@code name}: 401 with a challenge
     * for anonymous callers and for tokens that lack the grant (so the client fetches a better token), 403 for
     * authenticated Basic callers.
     */
    void authorize(Context ctx, Caller caller, RepositoryName name, Set<Action> needed) {
        if (may(caller, name, needed)) {
            return;
        }
        String scope = "repository:" + name + ":" + needed.stream().map(Action::wireName)
                .collect(Collectors.joining(","));
        switch (caller.kind()) {
            case ANONYMOUS -> throw unauthorized(ctx, scope, null, "authentication required");
            case BEARER -> throw unauthorized(ctx, scope, "insufficient_scope", "token does not grant " + scope);
            default -> throw new RegistryException(OciError.DENIED, "requested access to the resource is denied");
        }
    }

    boolean may(Caller caller, RepositoryName name, Set<Action> needed) {
        if (caller.grant() != null) {
            return caller.grant().allows(name.value(), needed);
        }
        return access.allowed(caller.principal(), name).containsAll(needed);
    }

    /** What {@code principal} may do on {@code name}, for the token endpoint. */
    EnumSet<Action> allowed(Principal principal, RepositoryName name) {
        return access.allowed(principal, name);
    }

    /** A 401 with the Bearer challenge that sends clients to {@code /token}. */
    RegistryException unauthorized(Context ctx, String scope, String error, String detail) {
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(requests.baseUrl(ctx))
                .append("/token\",service=\"").append(service(ctx)).append('"');
        if (scope != null) {
            challenge.append(",scope=\"").append(scope).append('"');
        }
        if (error != null) {
            challenge.append(",error=\"").append(error).append('"');
        }
        return new RegistryException(OciError.UNAUTHORIZED, detail).header("WWW-Authenticate", challenge.toString());
    }

    /** The service name in challenges and tokens: the registry's host (and port), as clients address it. */
    String service(Context ctx) {
        String authority = URI.create(requests.baseUrl(ctx)).getRawAuthority();
        return authority == null ? "wharf" : authority;
    }
}
