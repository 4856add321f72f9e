package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.wharf.core.PrivateFiles;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The data directory holds the database, the secret key and private images: only the server's user may read any of
 * it, whatever the umask it runs under, and a copy of the database alone gives away no signing key.
 */
class DataDirectoryTest extends ServerTest {

    @Override
    protected Backend backend() {
        return Backend.H2;
    }

    @Test
    void everyDirectoryIs0700AndEveryFileIs0600() throws Exception {
        String session = Sessions.adminSession(server);
        Http admin = server.http().bearer(session);
        admin.post("/v2/access-tokens", Map.of("token_label", "t", "scopes", List.of("repo:write")));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + dev.wharf.testing.TestServer
                .ADMIN_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Http registry = server.http().header("Authorization", basic);
        assertThat(registry.send("POST", "/v2/admin/files/blobs/uploads/?digest="
                + "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "hello").status())
                .isEqualTo(201);
        assertThat(registry.post("/v2/admin/files/blobs/uploads/", "").status()).isEqualTo(202);

        Path data = server.dataDir();
        assertThat(Files.exists(data.resolve("secret.key"))).isTrue();
        assertThat(Files.exists(data.resolve("db"))).isTrue();
        try (Stream<Path> all = Files.walk(data)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                assertThat(mode).as(data.relativize(p).toString())
                        .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
            }
        }
    }

    @Test
    void anExistingWorldReadableDataDirectoryIsClosedOnStart() throws Exception {
        Path data = server.dataDir();
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dbFile;
        try (Stream<Path> files = Files.list(data.resolve("db"))) {
            dbFile = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        Files.setPosixFilePermissions(dbFile, PosixFilePermissions.fromString("rw-r--r--"));
        server = server.restart();
        assertThat(Files.getPosixFilePermissions(data)).isEqualTo(PrivateFiles.DIRECTORY);
        assertThat(Files.getPosixFilePermissions(dbFile)).isEqualTo(PrivateFiles.FILE);
    }

    @Test
    void whatTheDatabaseHoldsCannotSignASession() throws Exception {
        String kid;
        String stored;
        var row = server.wharf().database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT kid, secret FROM signing_keys ORDER BY generation DESC LIMIT 1")
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).one());
        kid = row[0];
        stored = row[1];
        assertThat(stored).startsWith("aesgcm:");
        // Everything the row holds, tried as the HMAC key: the forged admin session is refused.
        for (byte[] candidate : List.of(stored.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Base64.getDecoder().decode(stored.substring("aesgcm:".length())))) {
            byte[] key = candidate.length >= 32 ? candidate : java.util.Arrays.copyOf(candidate, 32);
            var admin = server.wharf().accounts().find("admin").orElseThrow();
            Instant now = Instant.now();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                    .type(new JOSEObjectType("session+jwt")).keyID(kid).build(),
                    new JWTClaimsSet.Builder().issuer("wharf").subject(admin.uuid().toString()).audience("wharf")
                            .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                            .expirationTime(Date.from(now.plusSeconds(600))).jwtID("forged")
                            .claim("uid", admin.id()).claim("name", "admin").build());
            jwt.sign(new MACSigner(key));
            assertThat(server.http().bearer(jwt.serialize()).get("/api/v1/users").status()).isEqualTo(401);
        }
    }
}
