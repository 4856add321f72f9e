package dev.wharf.registry;

import dev.wharf.access.AccessPolicy;
import dev.wharf.repositories.Action;
import dev.wharf.auth.Authenticator;
import dev.wharf.auth.Principal;
import dev.wharf.core.ShortCache;
import dev.wharf.http.BasicCredentials;
import dev.wharf.http.Requests;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.credentials.TokenSecret;
import dev.wharf.repositories.Action;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
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
 * {@code Authorization} header into a {@link Caller} (one switch over credential kinds); {@link #authorize} asks the
 * access policy whether that caller may do the actions a request needs, and, for a bearer token, also whether the
 * token grants them. Clients learn only "unauthorized" or "denied"; the debug log says why.
 */
final class RegistryAuth {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuth.class);
    /**
     * A personal token or robot secret sent as Basic credentials is looked up once a minute at most; its state is
     * re-checked every request.
     */
    private static final Duration BASIC_SECRET_CACHE = Duration.ofMinutes(1);
    private static final long CACHE_BYTES = 4L * 1024 * 1024;

    private final Authenticator authenticator;
    private final RegistryTokens registryTokens;
    private final AccessPolicy policy;
    private final Requests requests;
    /** SHA-256 of {@code user:secret} of a token that authenticated, to the credential and its owner. */
    private final ShortCache<String, CredentialIdentity> basicSecrets;

    private record CredentialIdentity(UUID credential, long ownerId) {
    }

    RegistryAuth(Authenticator authenticator, RegistryTokens registryTokens, AccessPolicy policy, Requests requests,
                 Clock clock) {
        this.authenticator = authenticator;
        this.registryTokens = registryTokens;
        this.policy = policy;
        this.requests = requests;
        this.basicSecrets = new ShortCache<>(BASIC_SECRET_CACHE, CACHE_BYTES, (k, v) -> 250, clock);
    }

    /** Who is calling. Credentials that are present but do not authenticate get 401, never a fallback to anonymous. */
    Caller authenticate(Context ctx) {
        List<String> headers = Collections.list(ctx.req().getHeaders("Authorization"));
        if (headers.isEmpty()) {
            return Caller.ANONYMOUS_CALLER;
        }
        if (headers.size() > 1) {
            throw unauthorized(ctx, List.of(), "invalid_request", "more than one Authorization header");
        }
        String header = headers.get(0);
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String value = space < 0 ? "" : header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            // A registry token from /token for this service.
            return bearer(value, service(ctx), requests.clientIp(ctx))
                    .orElseThrow(() -> unauthorized(ctx, List.of(), "invalid_token", "invalid token"));
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            // A username with a password or a personal access token, sent on every request.
            return new Caller(Caller.Kind.BASIC, basic(decodeBasic(value), requests.clientIp(ctx)), null);
        }
        throw unauthorized(ctx, List.of(), null, "unsupported authorization scheme");
    }

    /** The credentials of a {@code Basic} header's value; a malformed one is the registry's 401. */
    static BasicCredentials decodeBasic(String encoded) {
        return BasicCredentials.decode(encoded)
                .orElseThrow(() -> new RegistryException(OciError.UNAUTHORIZED, "malformed basic credentials"));
    }

    /**
     * Signs in with {@code Basic} credentials: a password (slow hash, throttled), or a personal token or robot secret
     * (SHA-256 lookup, then cached by the digest of the credentials so that repeated requests skip the database).
     */
    Principal basic(BasicCredentials credentials, String clientIp) {
        String username = credentials.user();
        String secret = credentials.secret();
        String key = TokenSecret.hasKnownPrefix(secret) ? TokenSecret.sha256(username + ":" + secret) : null;
        if (key != null) {
            CredentialIdentity known = basicSecrets.getIfPresent(key);
            if (known != null) {
                Optional<Principal> p = authenticator.resume(known.ownerId(), null, known.credential(), clientIp);
                if (p.isPresent()) {
                    return p.get();
                }
                basicSecrets.invalidate(key);
            }
        }
        Principal principal = authenticator.signIn(username, secret, clientIp);
        if (key != null && principal.viaCredential()) {
            basicSecrets.put(key, new CredentialIdentity(principal.credentialUuid(), principal.account().id()));
        }
        return principal;
    }

    private Optional<Caller> bearer(String jwt, String service, String clientIp) {
        Optional<RegistryTokens.Grant> grant = registryTokens.verify(jwt, service);
        if (grant.isEmpty()) {
            LOG.debug("registry token refused: signature, type, audience or expiry");
            return Optional.empty();
        }
        RegistryTokens.Grant g = grant.get();
        if (g.identity() == null) {
            return Optional.of(new Caller(Caller.Kind.BEARER, null, g));
        }
        Optional<Principal> p = authenticator.resume(g.identity().accountId(), g.identity().accountUuid(),
                g.identity().credential(), clientIp);
        if (p.isEmpty()) {
            LOG.debug("registry token refused: its account is gone, its credential no longer works, or the address"
                    + " is outside the robot's allowed networks");
        }
        return p.map(principal -> new Caller(Caller.Kind.BEARER, principal, g));
    }

    /**
     * Refuses the request unless the caller may do every one of {@code needed} on {@code name}: 401 with a challenge
     * for anonymous callers and for tokens that lack the grant (so the client fetches a better token), 403 for
     * authenticated Basic callers. {@code alsoNeeded} are scopes the challenge asks for besides (the source of a
     * cross-repository mount), so that a client requesting exactly the challenged scope gets everything it needs.
     */
    void authorize(Context ctx, Caller caller, RepositoryName name, Set<Action> needed, List<String> alsoNeeded) {
        // A restricted-images policy refuses whatever the token says; a new token would not help.
        Optional<String> refusal = pullRefusal(caller, name, needed);
        if (refusal.isPresent()) {
            throw new RegistryException(OciError.DENIED, refusal.get());
        }
        if (grants(caller, name, needed)) {
            return;
        }
        String scope = scope(name, needed);
        List<String> scopes = new java.util.ArrayList<>(List.of(scope));
        scopes.addAll(alsoNeeded);
        switch (caller.kind()) {
            case ANONYMOUS -> throw unauthorized(ctx, scopes, null, "authentication required");
            case BEARER -> throw unauthorized(ctx, scopes, "insufficient_scope", "token does not grant " + scope);
            default -> throw new RegistryException(OciError.DENIED, "requested access to the resource is denied");
        }
    }

    /**
     * Whether the caller may do every one of {@code needed} on {@code name}: the access policy decides for the
     * caller's account and credential, on every request (so a revoked membership takes effect within a second); a
     * bearer token must, in addition, grant the actions.
     */
    boolean may(Caller caller, RepositoryName name, Set<Action> needed) {
        return grants(caller, name, needed) && pullRefusal(caller, name, needed).isEmpty();
    }

    /**
     * Why a restricted-images policy refuses this request's pull; a pull inside a push (the request also pushes, or
     * the caller's token grants push on the repository) is a push's read-back, which the policy does not restrict.
     */
    private Optional<String> pullRefusal(Caller caller, RepositoryName name, Set<Action> needed) {
        if (!needed.contains(Action.PULL)) {
            return Optional.empty();
        }
        boolean forPush = needed.contains(Action.PUSH)
                || (caller.grant() != null && caller.grant().allows(name.value(), EnumSet.of(Action.PUSH)));
        return policy.pullRefusal(caller.principal(), name, forPush);
    }

    /** {@link #may}, before any restricted-images policy. */
    private boolean grants(Caller caller, RepositoryName name, Set<Action> needed) {
        if (caller.grant() != null && !caller.grant().allows(name.value(), needed)) {
            return false;
        }
        return policy.allows(caller.principal(), name, needed);
    }

    /** What {@code principal} may do on {@code name}, for the token endpoint, before restricted images. */
    Set<Action> allowed(Principal principal, RepositoryName name) {
        return policy.actions(principal, name);
    }

    /**
     * Why a restricted-images policy refuses {@code principal} a pull of {@code name}, for the token endpoint;
     * {@code forPush} when the same scope asks to push too.
     */
    Optional<String> pullRefusal(Principal principal, RepositoryName name, boolean forPush) {
        return policy.pullRefusal(principal, name, forPush);
    }

    static String scope(RepositoryName name, Set<Action> actions) {
        return "repository:" + name + ":" + actions.stream().map(Action::wireName).collect(Collectors.joining(","));
    }

    /** A 401 with the Bearer challenge that sends clients to {@code /token}. */
    RegistryException unauthorized(Context ctx, List<String> scopes, String error, String detail) {
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(requests.baseUrl(ctx))
                .append("/token\",service=\"").append(service(ctx)).append('"');
        if (!scopes.isEmpty()) {
            challenge.append(",scope=\"").append(String.join(" ", scopes)).append('"');
        }
        if (error != null) {
            challenge.append(",error=\"").append(error).append('"');
        }
        return new RegistryException(OciError.UNAUTHORIZED, detail).header("WWW-Authenticate", challenge.toString());
    }

    /** The service name in challenges and tokens: the registry's host (and port), as clients address it. */
    String service(Context ctx) {
        return requests.authority(ctx);
    }
}
