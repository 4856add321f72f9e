package dev.wharf.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.wharf.db.Database;
import dev.wharf.repositories.ManifestReferencesMigration;
import dev.wharf.storage.FilesystemBlobStore;
import dev.wharf.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wharf's JWTs are checked by nimbus's processor and claims verifier: every claim, the type and the key id. */
class JwtsTest {
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private Database database;
    private SecretBox box;
    private SigningKeys keys;
    private Jwts jwts;

    @BeforeEach
    void open() {
        database = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null,
                new ManifestReferencesMigration(new FilesystemBlobStore(dir.resolve("blobs"))));
        box = SecretBox.load(null, dir.resolve("secret.key"));
        keys = SigningKeys.load(database.jdbi(), box, clock);
        jwts = new Jwts(keys, clock);
    }

    @AfterEach
    void close() {
        database.close();
    }

    private String session(String audience) {
        return jwts.sign(Jwts.Kind.SESSION, "subject", audience, Duration.ofMinutes(10), b -> {
        });
    }

    /** A token signed with the current key, with the claims and header {@code change} makes. */
    private String forged(Consumer<JWTClaimsSet.Builder> claims, JWSHeader header) throws Exception {
        Instant now = clock.instant();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer("wharf").subject("s").audience("wharf")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600))).jwtID("j");
        claims.accept(b);
        SignedJWT jwt = new SignedJWT(header, b.build());
        jwt.sign(new MACSigner(keys.current().secret()));
        return jwt.serialize();
    }

    private JWSHeader header() {
        return new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("session+jwt"))
                .keyID(keys.current().kid()).build();
    }

    @Test
    void aTokenVerifiesOnlyForItsKindAndAudience() {
        String token = session("wharf");
        assertThat(jwts.verify(token, "wharf", Jwts.Kind.SESSION, Jwts.Kind.ACCESS)).isPresent();
        assertThat(jwts.verify(token, "wharf", Jwts.Kind.REGISTRY)).isEmpty();
        assertThat(jwts.verify(token, "registry.example:5000", Jwts.Kind.SESSION)).isEmpty();
        String registry = jwts.sign(Jwts.Kind.REGISTRY, "subject", "registry.example:5000", Duration.ofMinutes(5),
                b -> {
                });
        assertThat(jwts.verify(registry, "registry.example:5000", Jwts.Kind.REGISTRY)).isPresent();
        assertThat(jwts.verify(registry, "wharf", Jwts.Kind.SESSION, Jwts.Kind.ACCESS)).isEmpty();
    }

    @Test
    void expiryAndNotBeforeHoldWithThirtySecondsOfLeeway() {
        String token = session("wharf");
        clock.advance(Duration.ofMinutes(10).plusSeconds(20));
        assertThat(jwts.verify(token, "wharf", Jwts.Kind.SESSION)).isPresent();
        clock.advance(Duration.ofSeconds(20));
        assertThat(jwts.verify(token, "wharf", Jwts.Kind.SESSION)).isEmpty();

        ManualClock ahead = new ManualClock();
        ahead.advance(Duration.ofMinutes(5));
        String early = new Jwts(keys, ahead).sign(Jwts.Kind.SESSION, "s", "wharf", Duration.ofHours(1), b -> {
        });
        assertThat(new Jwts(keys, new ManualClock()).verify(early, "wharf", Jwts.Kind.SESSION)).isEmpty();
    }

    @Test
    void issuerTypeKeyIdAndEveryClaimAreRequired() throws Exception {
        assertThat(jwts.verify(forged(b -> {
        }, header()), "wharf", Jwts.Kind.SESSION)).as("the control").isPresent();
        assertThat(jwts.verify(forged(b -> b.issuer("someone-else"), header()), "wharf", Jwts.Kind.SESSION))
                .isEmpty();
        assertThat(jwts.verify(forged(b -> b.jwtID(null), header()), "wharf", Jwts.Kind.SESSION)).isEmpty();
        assertThat(jwts.verify(forged(b -> b.notBeforeTime(null), header()), "wharf", Jwts.Kind.SESSION)).isEmpty();
        assertThat(jwts.verify(forged(b -> b.expirationTime(null), header()), "wharf", Jwts.Kind.SESSION))
                .isEmpty();
        JWSHeader noKid = new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("session+jwt")).build();
        assertThat(jwts.verify(forged(b -> {
        }, noKid), "wharf", Jwts.Kind.SESSION)).isEmpty();
        JWSHeader noType = new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keys.current().kid()).build();
        assertThat(jwts.verify(forged(b -> {
        }, noType), "wharf", Jwts.Kind.SESSION)).isEmpty();
        JWSHeader unknownKid = new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("session+jwt"))
                .keyID("not-a-key").build();
        assertThat(jwts.verify(forged(b -> {
        }, unknownKid), "wharf", Jwts.Kind.SESSION)).isEmpty();
        String unsigned = new PlainJWT(new JWTClaimsSet.Builder().issuer("wharf").subject("s").audience("wharf")
                .expirationTime(Date.from(clock.instant().plusSeconds(60))).build()).serialize();
        assertThat(jwts.verify(unsigned, "wharf", Jwts.Kind.SESSION)).isEmpty();
        assertThat(jwts.verify("garbage", "wharf", Jwts.Kind.SESSION)).isEmpty();
    }

    @Test
    void keysRotateWithoutCuttingLiveTokensAndOtherNodesFollow() {
        String before = session("wharf");
        String firstKid = keys.current().kid();
        Jwts otherNode = new Jwts(SigningKeys.load(database.jdbi(), box, clock), clock);

        SigningKeys.Key next = keys.rotate();
        assertThat(next.kid()).isNotEqualTo(firstKid);
        assertThat(next.generation()).isEqualTo(2);
        String after = session("wharf");
        assertThat(jwts.verify(before, "wharf", Jwts.Kind.SESSION)).isPresent();
        assertThat(jwts.verify(after, "wharf", Jwts.Kind.SESSION)).isPresent();
        // The other node has not seen the new key yet: the unknown kid makes it read the keys again.
        assertThat(otherNode.verify(after, "wharf", Jwts.Kind.SESSION)).isPresent();
        assertThat(otherNode.verify(before, "wharf", Jwts.Kind.SESSION)).isPresent();
    }

    @Test
    void keysAreStoredSealedAndUselessWithoutTheSecretKey() {
        String stored = database.jdbi().withHandle(h -> h.createQuery("SELECT secret FROM signing_keys")
                .mapTo(String.class).one());
        assertThat(stored).startsWith("aesgcm:");
        SecretBox otherKey = SecretBox.load(null, dir.resolve("another.key"));
        assertThatThrownBy(() -> SigningKeys.load(database.jdbi(), otherKey, clock))
                .hasMessageContaining("encrypted with another key");
    }

    @Test
    void nodesStartingTogetherOnAnEmptyDatabaseCreateOneKey() throws Exception {
        Database empty = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null,
                new ManifestReferencesMigration(new FilesystemBlobStore(dir.resolve("blobs2"))));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> nodes = java.util.Collections.nCopies(8,
                    () -> SigningKeys.load(empty.jdbi(), box, clock).current().kid());
            List<String> kids = pool.invokeAll(nodes).stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).distinct().toList();
            assertThat(kids).hasSize(1);
            int rows = empty.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM signing_keys")
                    .mapTo(Integer.class).one());
            assertThat(rows).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            empty.close();
        }
    }
}
