package dev.wharf.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.PasswordHasher;
import dev.wharf.config.WharfConfig;
import dev.wharf.credentials.TokenSecret;
import dev.wharf.repositories.ManifestReferencesMigration;
import dev.wharf.server.Wharf;
import dev.wharf.storage.FilesystemBlobStore;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database filled by the previous schema (version 4, personal access tokens only) is upgraded to the one
 * credential model without loss: every token keeps its id, uuid, secret hash, scopes, state and times, signs in with
 * the same secret, and is seen the same through the Hub.
 */
abstract class CredentialsMigrationTest {
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 6, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    abstract Backend backend();

    @Test
    void everyPersonalAccessTokenIsCarriedOverAsItWas() {
        if (backend() == Backend.POSTGRES && Backend.postgresUrl() == null) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": set " + Backend.POSTGRES_ENV);
            Assumptions.assumeTrue(false, Backend.POSTGRES_ENV + " is not set");
        }
        WharfConfig config = WharfConfig.defaults(dir.resolve("data")).toBuilder().bind("127.0.0.1").port(0)
                .databaseUrl(backend().freshJdbcUrl()).build();
        Flyway.configure().dataSource(config.jdbcUrl(), null, null).locations("classpath:db/migration")
                .javaMigrations(new ManifestReferencesMigration(new FilesystemBlobStore(dir.resolve("data/blobs"))))
                .target("4").load().migrate();
        String activeSecret = TokenSecret.generate(TokenSecret.PAT_PREFIX);
        String inactiveSecret = TokenSecret.generate(TokenSecret.PAT_PREFIX);
        UUID activeUuid = UUID.randomUUID();
        UUID inactiveUuid = UUID.randomUUID();
        Jdbi legacy = Jdbi.create(config.jdbcUrl());
        long[] ids = legacy.withHandle(h -> {
            account(h, "admin", true);
            long alice = account(h, "alice", false);
            long active = token(h, activeUuid, alice, activeSecret, "ci push", "repo:write repo:read", true,
                    T0.plusDays(1), T0.plusYears(5));
            long inactive = token(h, inactiveUuid, alice, inactiveSecret, "old", "repo:public_read", false, null,
                    null);
            return new long[] {alice, active, inactive};
        });

        Wharf wharf = Wharf.start(config, System.out, TestServer.ENV, Clock.systemUTC());
        try {
            Map<String, Object> row = wharf.database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT id, uuid, owner_id, kind, secret_sha256, label, scopes, is_active, created_at,"
                                    + " last_used, expires_at, revoked_at, deleted, creator_id, creator_name"
                                    + " FROM credentials WHERE uuid = :u")
                    .bind("u", activeUuid).mapToMap().one());
            assertThat(((Number) row.get("id")).longValue()).isEqualTo(ids[1]);
            assertThat(((Number) row.get("owner_id")).longValue()).isEqualTo(ids[0]);
            assertThat(row).containsEntry("kind", "personal")
                    .containsEntry("secret_sha256", TokenSecret.sha256(activeSecret))
                    .containsEntry("label", "ci push").containsEntry("scopes", "repo:write repo:read")
                    .containsEntry("is_active", true).containsEntry("deleted", false)
                    .containsEntry("creator_name", "alice");
            assertThat(row.get("revoked_at")).isNull();
            assertThat(((Number) row.get("creator_id")).longValue()).isEqualTo(ids[0]);

            Http http = new Http("http://127.0.0.1:" + wharf.port());
            Http.Response login = http.post("/v2/users/login", Map.of("username", "alice", "password", activeSecret));
            assertThat(login.status()).as(login.toString()).isEqualTo(200);
            assertThat(http.post("/v2/users/login", Map.of("username", "alice", "password", inactiveSecret))
                    .status()).isEqualTo(401);

            // The Hub shows both exactly as before (to a password session: these tokens may not read tokens).
            String session = http.post("/v2/users/login", Map.of("username", "alice",
                    "password", "alice-password-1")).json().get("token").asText();
            JsonNode active = http.bearer(session).get("/v2/access-tokens/" + activeUuid).json();
            assertThat(active.get("token_label").asText()).isEqualTo("ci push");
            assertThat(active.get("scopes").toString()).isEqualTo("[\"repo:write\",\"repo:read\"]");
            assertThat(active.get("is_active").asBoolean()).isTrue();
            assertThat(OffsetDateTime.parse(active.get("created_at").asText()).toInstant())
                    .isEqualTo(T0.toInstant());
            assertThat(OffsetDateTime.parse(active.get("expires_at").asText()).toInstant())
                    .isEqualTo(T0.plusYears(5).toInstant());
            assertThat(OffsetDateTime.parse(active.get("last_used").asText()).toInstant())
                    .isAfterOrEqualTo(T0.plusDays(1).toInstant());
            JsonNode list = http.bearer(session).get("/v2/access-tokens").json();
            assertThat(list.get("count").asInt()).isEqualTo(2);
            assertThat(list.get("active_count").asInt()).isEqualTo(1);
            JsonNode inactive = http.bearer(session).get("/v2/access-tokens/" + inactiveUuid).json();
            assertThat(inactive.get("is_active").asBoolean()).isFalse();
            assertThat(inactive.get("scopes").toString()).isEqualTo("[\"repo:public_read\"]");
        } finally {
            wharf.close();
        }
    }

    private static long account(Handle h, String name, boolean admin) {
        return h.createUpdate("INSERT INTO accounts (uuid, name, kind, password_hash, site_admin, created_at)"
                        + " VALUES (:u, :n, 'user', :p, :a, :at)")
                .bind("u", UUID.randomUUID()).bind("n", name).bind("p", new PasswordHasher().hash(name + "-password-1"))
                .bind("a", admin).bind("at", T0.minusDays(1))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    private static long token(Handle h, UUID uuid, long owner, String secret, String label, String scopes,
                              boolean active, OffsetDateTime lastUsed, OffsetDateTime expires) {
        return h.createUpdate("INSERT INTO access_tokens (uuid, owner_id, secret_sha256, label, scopes, client_id,"
                        + " creator_ip, creator_ua, generated_by, is_active, created_at, last_used, expires_at)"
                        + " VALUES (:u, :o, :s, :l, :sc, 'HUB', '127.0.0.1', 'ua', 'manual', :a, :at, :used, :exp)")
                .bind("u", uuid).bind("o", owner).bind("s", TokenSecret.sha256(secret)).bind("l", label)
                .bind("sc", scopes).bind("a", active).bind("at", T0)
                .bind("used", dev.wharf.core.Nulls.timestamp(lastUsed))
                .bind("exp", dev.wharf.core.Nulls.timestamp(expires))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }
}
