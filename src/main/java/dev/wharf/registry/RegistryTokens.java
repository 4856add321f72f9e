package dev.wharf.registry;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.wharf.repositories.Action;
import dev.wharf.auth.Jwts;
import dev.wharf.auth.Principal;
import dev.wharf.auth.TokenClaims;
import dev.wharf.core.ShortCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registry bearer tokens, as in the distribution token-auth spec: a JWT whose {@code access} claim lists, per
 * repository, the actions granted, for the registry's service as audience. It names the account by id and uuid
 * and, for a personal access token, that token, so each request re-checks that the credential still works and
 * that the account still has the grant.
 *
 * <p>Verified tokens are cached by their signature, so that the signature and claims of a token are checked once per
 * pull rather than per request. Only tokens that verified are cached, and the cache is bounded by memory, so garbage
 * sent as tokens costs a failed verification each time and no memory.
 */
final class RegistryTokens {
    static final Duration TTL = Duration.ofMinutes(5);
    private static final String ANONYMOUS = "anonymous";
    private static final long CACHE_BYTES = 16L * 1024 * 1024;

    private final Jwts jwts;
    private final Clock clock;
    private final ShortCache<String, Grant> verified;

    RegistryTokens(Jwts jwts, Clock clock) {
        this.jwts = jwts;
        this.clock = clock;
        this.verified = new ShortCache<>(TTL, CACHE_BYTES, (k, g) -> 300 + g.weight(), clock);
    }

    /**
     * What a verified token says.
     *
     * @param identity the account and credential, or null for an anonymous token
     * @param access   actions granted per repository name
     */
    record Grant(TokenClaims.Identity identity, String audience, Map<String, EnumSet<Action>> access,
                 Instant expires) {
        boolean allows(String repository, Set<Action> needed) {
            EnumSet<Action> granted = access.get(repository);
            return granted != null && granted.containsAll(needed);
        }

        int weight() {
            int names = 0;
            for (String name : access.keySet()) {
                names += ShortCache.bytes(name) + 80;
            }
            return names;
        }
    }

    /** Signs a token for {@code principal} (null: anonymous) and {@code service}, granting {@code access}. */
    String issue(Principal principal, String service, Map<String, EnumSet<Action>> access) {
        String subject = principal == null ? ANONYMOUS : principal.account().uuid().toString();
        return jwts.sign(Jwts.Kind.REGISTRY, subject, service, TTL, b -> {
            if (principal != null) {
                TokenClaims.claims(b, principal);
            }
            List<Map<String, Object>> entries = new ArrayList<>();
            access.forEach((name, actions) -> {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("type", "repository");
                entry.put("name", name);
                entry.put("actions", actions.stream().map(Action::wireName).toList());
                entries.add(entry);
            });
            b.claim("access", entries);
        });
    }

    /**
     * The grant of a valid, unexpired registry token for {@code service}; empty for anything else.
     *
     * <p>The cache key is the token's signature, an HMAC-SHA256 of the rest of it: only verified tokens are stored,
     * so every key is a genuine 43-character signature, and a token that merely reuses one (with another header or
     * payload) gets the grant of the token it was copied from, which its holder had already.
     */
    Optional<Grant> verify(String token, String service) {
        String key = token.substring(token.lastIndexOf('.') + 1);
        Grant grant = verified.getIfPresent(key);
        if (grant == null) {
            Optional<Grant> parsed = jwts.verify(token, service, Jwts.Kind.REGISTRY).flatMap(this::grant);
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            grant = parsed.get();
            verified.put(key, grant);
        }
        if (!grant.audience().equals(service) || !grant.expires().isAfter(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(grant);
    }

    private Optional<Grant> grant(JWTClaimsSet c) {
        TokenClaims.Identity identity = ANONYMOUS.equals(c.getSubject()) ? null
                : TokenClaims.identity(c).orElse(null);
        if (identity == null && !ANONYMOUS.equals(c.getSubject())) {
            return Optional.empty();
        }
        Map<String, EnumSet<Action>> access = new LinkedHashMap<>();
        if (c.getClaim("access") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && "repository".equals(m.get("type"))
                        && m.get("name") instanceof String name && m.get("actions") instanceof List<?> actions) {
                    EnumSet<Action> set = EnumSet.noneOf(Action.class);
                    for (Object a : actions) {
                        set.addAll(Action.parseList(String.valueOf(a)));
                    }
                    access.put(name, set);
                }
            }
        }
        return Optional.of(new Grant(identity, c.getAudience().get(0), access, c.getExpirationTime().toInstant()));
    }
}
