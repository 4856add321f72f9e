package dev.wharf.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Signs and verifies Wharf's JWTs (HS256, nimbus-jose-jwt). Every token names its purpose in the {@code typ} claim,
 * so a token minted for one purpose is never accepted for another.
 */
public final class Jwts {
    public static final String ISSUER = "wharf";
    private static final Duration LEEWAY = Duration.ofSeconds(30);

    private final SigningKeys keys;
    private final JWSSigner signer;
    private final JWSVerifier verifier;

    public Jwts(SigningKeys keys) {
        this.keys = keys;
        try {
            this.signer = new MACSigner(keys.secret());
            this.verifier = new MACVerifier(keys.secret());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs a token of type {@code type} for {@code subject}, valid for {@code ttl}; {@code claims} adds more. */
    public String sign(String type, String subject, Duration ttl, Consumer<JWTClaimsSet.Builder> claims) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("typ", type);
        claims.accept(builder);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keys.kid()).build(),
                builder.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** The claims of a valid, unexpired token of one of the given types; empty for anything else, whatever the reason. */
    public Optional<JWTClaimsSet> verify(String token, String... types) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = Instant.now();
            if (!ISSUER.equals(claims.getIssuer()) || claims.getExpirationTime() == null
                    || claims.getExpirationTime().toInstant().plus(LEEWAY).isBefore(now)
                    || claims.getNotBeforeTime() != null && claims.getNotBeforeTime().toInstant().minus(LEEWAY).isAfter(now)) {
                return Optional.empty();
            }
            Object type = claims.getClaim("typ");
            for (String t : types) {
                if (t.equals(type)) {
                    return Optional.of(claims);
                }
            }
            return Optional.empty();
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
