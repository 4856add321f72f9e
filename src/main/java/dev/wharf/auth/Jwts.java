package dev.wharf.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Signs and verifies Wharf's JWTs (HS256) with nimbus-jose-jwt's processor and claims verifier: the signature by
 * the key the header's {@code kid} names, the JOSE type (so a token minted for one purpose is never accepted for
 * another), the issuer, the audience, expiry and not-before with 30 seconds of leeway, and the presence of every
 * claim Wharf issues. Nothing here is checked by hand.
 */
public final class Jwts {
    public static final String ISSUER = "wharf";
    private static final int LEEWAY_SECONDS = 30;
    /** A token naming a key this node does not know makes it re-read the keys, at most this often. */
    private static final Duration RELOAD_INTERVAL = Duration.ofSeconds(10);
    private static final Set<String> REQUIRED = Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti");

    /** What a token is for; its JOSE {@code typ} header. */
    public enum Kind {
        /** A Hub sign-in session ({@code /v2/users/login}). */
        SESSION("session+jwt"),
        /** A Hub access token ({@code /v2/auth/token}). */
        ACCESS("access+jwt"),
        /** A registry bearer token ({@code /token}). */
        REGISTRY("registry+jwt");

        private final String type;

        Kind(String type) {
            this.type = type;
        }

        JOSEObjectType type() {
            return new JOSEObjectType(type);
        }
    }

    private final SigningKeys keys;
    private final Clock clock;
    private final AtomicLong lastReload = new AtomicLong();

    public Jwts(SigningKeys keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    /** Signs a token of {@code kind} for {@code subject} and {@code audience}, valid for {@code ttl}. */
    public String sign(Kind kind, String subject, String audience, Duration ttl,
                       Consumer<JWTClaimsSet.Builder> claims) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .audience(audience)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString());
        claims.accept(builder);
        SigningKeys.Key key = keys.current();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(kind.type()).keyID(key.kid()).build(),
                builder.build());
        try {
            jwt.sign(new MACSigner(key.secret()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /**
     * The claims of a valid token of one of {@code kinds} for {@code audience}; empty for anything else, whatever
     * the reason (the caller learns no more than "invalid").
     */
    public Optional<JWTClaimsSet> verify(String token, String audience, Kind... kinds) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid == null || !JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            return Optional.empty();
        }
        SigningKeys.Key key = keys.byId(kid);
        if (key == null && reloadAllowed()) {
            keys.reload();
            key = keys.byId(kid);
        }
        if (key == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(processor(key, audience, kinds).process(jwt, null));
        } catch (BadJOSEException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether an unknown key id may trigger a reload now: at most once per {@link #RELOAD_INTERVAL}. */
    private boolean reloadAllowed() {
        long now = clock.millis();
        long last = lastReload.get();
        return now - last >= RELOAD_INTERVAL.toMillis() && lastReload.compareAndSet(last, now);
    }

    private DefaultJWTProcessor<SecurityContext> processor(SigningKeys.Key key, String audience, Kind... kinds) {
        JWK jwk = new OctetSequenceKey.Builder(key.secret()).keyID(key.kid()).algorithm(JWSAlgorithm.HS256).build();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                Arrays.stream(kinds).map(Kind::type).collect(Collectors.toSet())));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
                (selector, context) -> selector.select(new JWKSet(List.of(jwk)))));
        // The verifier probes its sets with contains(null), which immutable sets refuse: hence the hash sets.
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(List.of(audience)), new JWTClaimsSet.Builder().issuer(ISSUER).build(),
                new HashSet<>(REQUIRED), new HashSet<>()) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew(LEEWAY_SECONDS);
        processor.setJWTClaimsSetVerifier(claims);
        return processor;
    }
}
