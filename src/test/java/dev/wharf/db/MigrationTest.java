package dev.wharf.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.WharfConfig;
import dev.wharf.server.Wharf;
import dev.wharf.storage.Digest;
import dev.wharf.storage.FilesystemBlobStore;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.TestServer;
import dev.wharf.credentials.TokenSecret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database filled by the previous schema (version 2) is upgraded by starting the server on it: audit events move
 * to account ids, the signing key is sealed, and the registry's new metadata (the global blob table, manifest
 * references, platforms and sizes) is filled from the manifests and configs in the blob store. Nothing is lost: the
 * old token still signs in, the old image still pulls.
 */
abstract class MigrationTest {
    private static final OffsetDateTime T0 = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String CONFIG = "application/vnd.oci.image.config.v1+json";

    @TempDir
    Path dir;

    abstract Backend backend();

    private record Stored(Digest digest, long size) {
    }

    @Test
    void aVersionTwoDatabaseIsUpgradedWithoutLosingAnything() throws Exception {
        if (backend() == Backend.POSTGRES && Backend.postgresUrl() == null) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": set " + Backend.POSTGRES_ENV);
            Assumptions.assumeTrue(false, Backend.POSTGRES_ENV + " is not set");
        }
        Path data = dir.resolve("data");
        WharfConfig config = WharfConfig.defaults(data).toBuilder().bind("127.0.0.1").port(0)
                .databaseUrl(backend().freshJdbcUrl()).build();
        Flyway.configure().dataSource(config.jdbcUrl(), null, null).locations("classpath:db/migration")
                .target("2").load().migrate();

        FilesystemBlobStore store = new FilesystemBlobStore(data.resolve("blobs"));
        Stored configBlob = put(store, "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}");
        Stored layer = put(store, "pretend this is a gzipped tarball");
        String manifestText = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + descriptor(CONFIG, configBlob) + ",\"layers\":[" + descriptor(LAYER, layer) + "]}";
        Stored manifest = put(store, manifestText);
        Stored index = put(store, "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{"
                + "\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + manifest.digest() + "\",\"size\":"
                + manifest.size() + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
                + "\"variant\":\"v8\"}}]}");
        String patSecret = TokenSecret.generate(TokenSecret.PAT_PREFIX);
        byte[] legacyKey = new byte[32];
        Jdbi legacy = Jdbi.create(config.jdbcUrl());
        long carolNow = legacy.withHandle(h -> {
            long admin = account(h, "admin", T0, true);
            long alice = account(h, "alice", T0.plusHours(1), false);
            // An account named carol was deleted after an event; a new carol was created later.
            event(h, "carol", "user.login.failed", "carol", T0.plusHours(2));
            long carol = account(h, "carol", T0.plusHours(3), false);
            event(h, "carol", "user.create", "admin", T0.plusHours(3).plusSeconds(1));
            event(h, "alice", "user.create", "admin", T0.plusHours(1).plusSeconds(1));
            h.createUpdate("INSERT INTO access_tokens (uuid, owner_id, secret_sha256, label, scopes, client_id,"
                            + " creator_ip, creator_ua, generated_by, is_active, created_at)"
                            + " VALUES (:u, :o, :s, 'old', 'repo:admin', 'HUB', '127.0.0.1', 'ua', 'manual', TRUE, :at)")
                    .bind("u", UUID.randomUUID()).bind("o", alice).bind("s", TokenSecret.sha256(patSecret))
                    .bind("at", T0.plusHours(4)).execute();
            h.createUpdate("INSERT INTO signing_keys (kid, secret, created_at) VALUES ('legacy-kid', :s, :at)")
                    .bind("s", Base64.getEncoder().encodeToString(legacyKey)).bind("at", T0).execute();
            long repo = h.createUpdate("INSERT INTO repositories (namespace_id, name, is_private, created_at,"
                            + " pull_count) VALUES (:ns, 'alice/app', TRUE, :at, 0)")
                    .bind("ns", alice).bind("at", T0.plusHours(5)).executeAndReturnGeneratedKeys("id")
                    .mapTo(Long.class).one();
            for (Stored blob : List.of(configBlob, layer)) {
                h.createUpdate("INSERT INTO repository_blobs (repository_id, digest, size, linked_at)"
                                + " VALUES (:r, :d, :s, :at)")
                        .bind("r", repo).bind("d", blob.digest().toString()).bind("s", blob.size())
                        .bind("at", T0.plusHours(5)).execute();
            }
            long image = manifestRow(h, repo, manifest, OCI_MANIFEST, CONFIG);
            manifestRow(h, repo, index, OCI_INDEX, null);
            h.createUpdate("INSERT INTO tags (repository_id, name, manifest_id, pushed_at, pull_count)"
                            + " VALUES (:r, 'v1', :m, :at, 0)")
                    .bind("r", repo).bind("m", image).bind("at", T0.plusHours(6)).execute();
            assertThat(admin).isPositive();
            return carol;
        });

        Wharf wharf = Wharf.start(config, System.out, TestServer.ENV, Clock.systemUTC());
        try {
            Jdbi jdbi = wharf.database().jdbi();
            // Audit events belong to account ids; the deleted carol's event to nobody.
            List<Map<String, Object>> carolEvents = jdbi.withHandle(h -> h.createQuery(
                    "SELECT action, account_id FROM audit_events WHERE account = 'carol' ORDER BY created_at")
                    .mapToMap().list());
            assertThat(carolEvents).hasSize(2);
            assertThat(carolEvents.get(0).get("account_id")).isNull();
            assertThat(((Number) carolEvents.get(1).get("account_id")).longValue()).isEqualTo(carolNow);

            // The signing key is sealed; sessions signed with it before the upgrade do not carry the claims now
            // checked, so everyone signs in again once.
            String key = jdbi.withHandle(h -> h.createQuery("SELECT secret FROM signing_keys WHERE generation = 1")
                    .mapTo(String.class).one());
            assertThat(key).startsWith("aesgcm:");

            // The global blob table: every object once, media types from the manifests.
            Map<String, String> mediaTypes = new java.util.TreeMap<>();
            jdbi.useHandle(h -> h.createQuery("SELECT digest, media_type FROM blobs").map((rs, ctx) ->
                    mediaTypes.put(rs.getString(1), String.valueOf(rs.getString(2)))).list());
            assertThat(mediaTypes).containsEntry(layer.digest().toString(), LAYER)
                    .containsEntry(configBlob.digest().toString(), CONFIG)
                    .containsEntry(manifest.digest().toString(), OCI_MANIFEST)
                    .containsEntry(index.digest().toString(), OCI_INDEX);

            // References, platforms and sizes, read from the store.
            List<String> imageRefs = jdbi.withHandle(h -> h.createQuery("SELECT r.kind || ' ' || r.digest"
                            + " FROM manifest_references r JOIN manifests m ON m.id = r.manifest_id"
                            + " WHERE m.digest = :d ORDER BY r.position")
                    .bind("d", manifest.digest().toString()).mapTo(String.class).list());
            assertThat(imageRefs).containsExactly("config " + configBlob.digest(), "layer " + layer.digest());
            Map<String, Object> imageRow = jdbi.withHandle(h -> h.createQuery("SELECT platform_os,"
                            + " platform_architecture, platform_variant, total_size FROM manifests WHERE digest = :d")
                    .bind("d", manifest.digest().toString()).mapToMap().one());
            assertThat(imageRow).containsEntry("platform_os", "linux").containsEntry("platform_architecture", "arm64")
                    .containsEntry("platform_variant", "v8");
            long imageTotal = manifest.size() + configBlob.size() + layer.size();
            assertThat(((Number) imageRow.get("total_size")).longValue()).isEqualTo(imageTotal);
            Map<String, Object> child = jdbi.withHandle(h -> h.createQuery("SELECT r.kind, r.platform_architecture,"
                            + " m.total_size FROM manifest_references r JOIN manifests m ON m.id = r.manifest_id"
                            + " WHERE m.digest = :d")
                    .bind("d", index.digest().toString()).mapToMap().one());
            assertThat(child).containsEntry("kind", "manifest").containsEntry("platform_architecture", "arm64");
            assertThat(((Number) child.get("total_size")).longValue()).isEqualTo(index.size() + imageTotal);

            // Through the API: the old token signs in and the old image pulls.
            Http http = new Http("http://127.0.0.1:" + wharf.port());
            assertThat(http.post("/v2/users/login", Map.of("username", "alice", "password", patSecret)).status())
                    .isEqualTo(200);
            String basic = "Basic " + Base64.getEncoder().encodeToString(("alice:" + patSecret)
                    .getBytes(StandardCharsets.UTF_8));
            Http.Response pull = http.header("Authorization", basic).header("Accept", OCI_MANIFEST)
                    .get("/v2/alice/app/manifests/v1");
            assertThat(pull.status()).as(pull.toString()).isEqualTo(200);
            assertThat(pull.header("Docker-Content-Digest")).isEqualTo(manifest.digest().toString());
            assertThat(pull.body()).isEqualTo(manifestText);

            // The manifests' bytes were copied into the database: the image's manifest pulls without its file.
            java.nio.file.Files.delete(dev.wharf.testing.Collections.blobFile(data, manifest.digest().toString()));
            Http.Response fromDatabase = http.header("Authorization", basic).header("Accept", OCI_MANIFEST)
                    .get("/v2/alice/app/manifests/" + manifest.digest());
            assertThat(fromDatabase.status()).as(fromDatabase.toString()).isEqualTo(200);
            assertThat(fromDatabase.body()).isEqualTo(manifestText);
        } finally {
            wharf.close();
        }
    }

    private static Stored put(FilesystemBlobStore store, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.of(MessageDigest.getInstance("SHA-256").digest(bytes));
        String id = "legacy-" + UUID.randomUUID();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(bytes));
        store.commit(id, digest);
        return new Stored(digest, bytes.length);
    }

    private static String descriptor(String mediaType, Stored blob) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + blob.digest() + "\",\"size\":" + blob.size() + "}";
    }

    private static long account(Handle h, String name, OffsetDateTime at, boolean admin) {
        return h.createUpdate("INSERT INTO accounts (uuid, name, kind, password_hash, site_admin, created_at)"
                        + " VALUES (:u, :n, 'user', NULL, :a, :at)")
                .bind("u", UUID.randomUUID()).bind("n", name).bind("a", admin).bind("at", at)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    private static void event(Handle h, String account, String action, String actor, OffsetDateTime at) {
        h.createUpdate("INSERT INTO audit_events (account, action, name, actor, data, created_at)"
                        + " VALUES (:acc, :action, :acc, :actor, '{}', :at)")
                .bind("acc", account).bind("action", action).bind("actor", actor).bind("at", at).execute();
    }

    private static long manifestRow(Handle h, long repo, Stored m, String mediaType, String artifactType) {
        return h.createUpdate("INSERT INTO manifests (repository_id, digest, media_type, size, artifact_type,"
                        + " created_at) VALUES (:r, :d, :mt, :s, :at, :c)")
                .bind("r", repo).bind("d", m.digest().toString()).bind("mt", mediaType).bind("s", m.size())
                .bind("at", dev.wharf.core.Nulls.text(artifactType)).bind("c", T0.plusHours(5)).executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class).one();
    }
}
