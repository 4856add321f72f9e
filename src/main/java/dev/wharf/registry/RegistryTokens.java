package dev.wharf.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.wharf.auth.Jwts;
import dev.wharf.auth.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Registry bearer tokens, as in the distribution token-auth spec: a JWT of type {@code registry} whose {@code access}
 * claim lists, per repository, the actions granted. It also names the account ({@code uid}) and, for a personal access
 * token, that token's uuid ({@code pat}), so each request can check that the credential still works.
 *
 * <p>Verified tokens are cached by their text until they expire: the signature and claims of a token are checked
 * once, not on every request of a pull. What can change (the account, the PAT) is re-checked per request by the
 * caller through one-second caches.
 */
final class RegistryTokens {
    static final String TYPE = "registry";
    static final Duration TTL = Duration.ofMinutes(5);
    private static final String ANONYMOUS = "anonymous";

    private final Jwts jwts;
    private final Cache<String, Optional<Grant>> verified = Caffeine.newBuilder()
            .expireAfterWrite(TTL).maximumSize(100_000).build();

    RegistryTokens(Jwts jwts) {
        this.jwts = jwts;
    }

    /**
     * What a verified token says.
     *
     * @param uid    the account id, or null for an anonymous token
     * @param pat    the personal access token it was issued for, or null
     * @param access actions granted per repository name
     */
    record Grant(Long uid, String subject, UUID pat, Map<String, EnumSet<Action>> access, Instant expires) {
        boolean allows(String repository, java.util.Set<Action> needed) {
            EnumSet<Action> granted = access.get(repository);
            return granted != null && granted.containsAll(needed);
        }
    }

    /** Signs a token for {@code principal} (null: anonymous) granting {@code access}. */
    String issue(Principal principal, String service, Map<String, EnumSet<Action>> access) {
        String subject = principal == null ? ANONYMOUS : principal.account().uuid().toString();
        return jwts.sign(TYPE, subject, TTL, b -> {
            b.audience(service);
            if (principal != null) {
                b.claim("uid", principal.account().id());
                b.claim("name", principal.username());
                if (principal.viaToken()) {
                    b.claim("pat", principal.token().uuid().toString());
                }
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

    /** The grant of a valid, unexpired registry token; empty for anything else, whatever the reason. */
    Optional<Grant> verify(String token) {
        Optional<Grant> grant = verified.get(token, this::parse);
        return grant.filter(g -> g.expires().isAfter(Instant.now()));
    }

    private Optional<Grant> parse(String token) {
        Optional<JWTClaimsSet> claims = jwts.verify(token, TYPE);
        if (claims.isEmpty()) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet c = claims.get();
            Long uid = c.getLongClaim("uid");
            String pat = c.getStringClaim("pat");
            Map<String, EnumSet<Action>> access = new LinkedHashMap<>();
            Object raw = c.getClaim("access");
            if (raw instanceof List<?> list) {
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
            return Optional.of(new Grant(uid, c.getSubject(), pat == null ? null : UUID.fromString(pat), access,
                    c.getExpirationTime().toInstant()));
        } catch (java.text.ParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
