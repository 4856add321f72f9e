package dev.wharf.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Collections;
import dev.wharf.testing.Http;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Online garbage collection through {@code /api/v1/gc}, with no protection window (so that a test need not wait
 * for one): garbage goes from the database and the disk, what is alive stays, a dry run reports exactly what the real
 * run then removes and removes nothing, and a full sweep finds files no row knows.
 */
abstract class GarbageCollectionTest extends ServerTest {
    @Override
    protected WharfConfig configure(WharfConfig config) {
        return config.toBuilder().gcProtectionWindow(Duration.ZERO).gcInterval(Duration.ZERO).build();
    }

    private Http admin() {
        return server.http().bearer(Sessions.adminSession(server));
    }

    private Pushes pushes() {
        return new Pushes(server.url(), "admin", TestServer.ADMIN_PASSWORD);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String digest(byte[] data) {
        return Pushes.digest(data);
    }

    private Path data() {
        return server.dataDir();
    }

    @Test
    void aDeletedImageIsCollectedAndTheLayersItSharedWithALiveImageStay() {
        String repo = "admin/" + uniqueName("gc");
        String name = uniqueName("s");
        byte[] shared = bytes("shared layer " + name);
        byte[] onlyA = bytes("layer only in a " + name);
        byte[] onlyB = bytes("layer only in b " + name);
        byte[] configA = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"a\":\"" + name + "\"}");
        byte[] configB = bytes("{\"architecture\":\"arm64\",\"os\":\"linux\",\"b\":\"" + name + "\"}");
        Pushes p = pushes();
        String a = p.image(repo, "a", configA, List.of(shared, onlyA));
        String b = p.image(repo, "b", configB, List.of(shared, onlyB));
        byte[] manifestA = p.manifestBytes(repo, a);
        assertThat(p.deleteManifest(repo, a)).isEqualTo(202);

        Set<String> garbage = Set.of(digest(onlyA), digest(configA), a);
        long garbageBytes = (long) onlyA.length + configA.length + manifestA.length;

        JsonNode dry = Collections.run(admin(), true, false);
        assertThat(dry.get("state").asText()).as("%s", dry).isEqualTo("succeeded");
        assertThat(dry.get("dry_run").asBoolean()).isTrue();
        assertThat(removed(dry, "blob")).as("what a real run would remove").containsAll(garbage);
        for (String d : garbage) {
            assertThat(Collections.stored(data(), d)).as("a dry run removes nothing: %s", d).isTrue();
        }
        assertThat(p.headBlob(repo, digest(onlyA))).as("still served after a dry run").isEqualTo(200);

        JsonNode real = Collections.run(admin(), false, false);
        assertThat(real.get("state").asText()).as("%s", real).isEqualTo("succeeded");
        assertThat(real.get("trigger").asText()).isEqualTo("api");
        assertThat(real.get("requested_by").asText()).isEqualTo("admin");
        assertThat(removed(real, "blob")).as("the real run removes what the dry run said")
                .isEqualTo(removed(dry, "blob"));
        assertThat(real.get("blobs_deleted").asLong()).isEqualTo(dry.get("blobs_deleted").asLong());
        assertThat(real.get("bytes_freed").asLong()).isEqualTo(dry.get("bytes_freed").asLong())
                .isGreaterThanOrEqualTo(garbageBytes);
        for (String d : garbage) {
            assertThat(Collections.stored(data(), d)).as("file of %s", d).isFalse();
        }
        assertThat(p.headBlob(repo, digest(onlyA))).isEqualTo(404);
        assertThat(p.headBlob(repo, digest(configA))).isEqualTo(404);
        assertThat(p.head(repo, a)).isEqualTo(404);

        assertThat(p.blobBytes(repo, digest(shared))).isEqualTo(shared);
        assertThat(p.blobBytes(repo, digest(onlyB))).isEqualTo(onlyB);
        assertThat(p.blobBytes(repo, digest(configB))).isEqualTo(configB);
        assertThat(p.pull(repo, "b")).isEqualTo(200);
        assertThat(Collections.stored(data(), b)).isTrue();

        JsonNode again = Collections.run(admin(), false, false);
        assertThat(again.get("blobs_deleted").asLong()).as("nothing left to remove: %s", again).isZero();
    }

    @Test
    void anUntaggedIndexGoesWithItsChildrenAndATaggedOneKeepsThem() {
        String repo = "admin/" + uniqueName("gc");
        Pushes p = pushes();
        String child1 = p.image(repo, null, "amd64", 9101);
        String child2 = p.image(repo, null, "arm64", 9102);
        String index = p.index(repo, "multi", List.of(child1, child2));
        String kept1 = p.image(repo, null, "amd64", 9103);
        String keptIndex = p.index(repo, "kept", List.of(kept1));

        JsonNode before = Collections.run(admin(), false, false);
        assertThat(before.get("manifests_deleted").asLong()).as("children of a tagged index stay: %s", before)
                .isZero();
        assertThat(p.head(repo, child1)).isEqualTo(200);

        Http.Response untag = admin().delete("/v2/repositories/" + repo + "/tags/multi");
        assertThat(untag.status()).as("%s", untag).isIn(202, 204);
        JsonNode after = Collections.run(admin(), false, false);
        assertThat(removed(after, "manifest")).as("%s", after).containsExactlyInAnyOrder(index, child1, child2);
        for (String gone : List.of(index, child1, child2)) {
            assertThat(p.head(repo, gone)).isEqualTo(404);
            assertThat(Collections.stored(data(), gone)).isFalse();
        }
        assertThat(p.head(repo, keptIndex)).isEqualTo(200);
        assertThat(p.head(repo, kept1)).isEqualTo(200);
        assertThat(p.pull(repo, "kept")).isEqualTo(200);
    }

    @Test
    void aBlobUploadedButNeverNamedByAManifestIsCollected() {
        String repo = "admin/" + uniqueName("gc");
        byte[] lonely = bytes("uploaded, never used " + uniqueName("u"));
        pushes().upload(repo, lonely);
        assertThat(pushes().headBlob(repo, digest(lonely))).isEqualTo(200);

        JsonNode run = Collections.run(admin(), false, false);
        assertThat(removed(run, "blob")).as("%s", run).contains(digest(lonely));
        assertThat(pushes().headBlob(repo, digest(lonely))).isEqualTo(404);
        assertThat(Collections.stored(data(), digest(lonely))).isFalse();
    }

    @Test
    void aDeletedRepositoryIsCollected() {
        String name = uniqueName("gcrepo");
        String repo = "admin/" + name;
        byte[] layer = bytes("layer of a deleted repository " + name);
        byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"r\":\"" + name + "\"}");
        String manifest = pushes().image(repo, "latest", config, List.of(layer));
        Http.Response deleted = admin().delete("/v2/repositories/admin/" + name + "/");
        assertThat(deleted.status()).as("%s", deleted).isIn(202, 204);

        JsonNode run = Collections.run(admin(), false, false);
        assertThat(removed(run, "blob")).as("%s", run).contains(digest(layer), digest(config), manifest);
        for (String d : List.of(digest(layer), digest(config), manifest)) {
            assertThat(Collections.stored(data(), d)).isFalse();
        }
    }

    @Test
    void theRepositoriesOfADeletedUserAreCollected() {
        String user = uniqueName("leaver");
        String session = Sessions.newUser(server, user, "correct-horse-battery");
        String pat = Sessions.newToken(server, session, "push", "repo:admin");
        byte[] layer = bytes("layer of a user who leaves " + user);
        byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"u\":\"" + user + "\"}");
        String manifest = new Pushes(server.url(), user, pat).image(user + "/app", "1", config, List.of(layer));
        assertThat(admin().delete("/api/v1/users/" + user).status()).isEqualTo(204);

        JsonNode run = Collections.run(admin(), false, false);
        assertThat(removed(run, "blob")).as("%s", run).contains(digest(layer), digest(config), manifest);
        assertThat(Collections.stored(data(), digest(layer))).isFalse();
    }

    @Test
    void aFullSweepRemovesFilesNoRowKnowsAndOnlyThose() throws Exception {
        String repo = "admin/" + uniqueName("gc");
        byte[] live = bytes("a live layer " + uniqueName("l"));
        byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"f\":\"" + uniqueName("f") + "\"}");
        String manifest = pushes().image(repo, "live", config, List.of(live));
        // A file left behind by a crash between the store's commit and the database's: no row names it.
        byte[] orphan = bytes("an orphan file " + uniqueName("o"));
        Path orphanFile = Collections.blobFile(data(), digest(orphan));
        Files.createDirectories(orphanFile.getParent());
        Files.write(orphanFile, orphan);
        Files.setLastModifiedTime(orphanFile, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

        JsonNode queued = Collections.run(admin(), false, false);
        assertThat(Files.exists(orphanFile)).as("the queue cannot know of it: %s", queued).isTrue();

        JsonNode dry = Collections.run(admin(), true, true);
        assertThat(removed(dry, "blob")).as("%s", dry).contains(digest(orphan));
        assertThat(dry.get("files_scanned").asLong()).isPositive();
        assertThat(Files.exists(orphanFile)).isTrue();

        JsonNode full = Collections.run(admin(), false, true);
        assertThat(full.get("state").asText()).as("%s", full).isEqualTo("succeeded");
        assertThat(full.get("full").asBoolean()).isTrue();
        assertThat(removed(full, "blob")).contains(digest(orphan)).doesNotContain(digest(live), manifest);
        assertThat(Files.exists(orphanFile)).isFalse();
        assertThat(pushes().blobBytes(repo, digest(live))).isEqualTo(live);
        assertThat(pushes().pull(repo, "live")).isEqualTo(200);
    }

    @Test
    void aRunAppliesRetentionPoliciesFirstAndCollectsWhatTheyUntag() {
        String name = uniqueName("ret");
        String repo = "admin/" + name;
        Pushes p = pushes();
        String old = p.image(repo, "v1", "amd64", 9201);
        String newer = p.image(repo, "v2", "amd64", 9202);
        String other = p.image(repo, "latest", "amd64", 9203);
        Http.Response set = admin().put("/api/v1/repositories/admin/" + name + "/retention",
                Map.of("keep_pattern", "v.*", "keep_count", 1));
        assertThat(set.status()).as("%s", set).isEqualTo(200);

        JsonNode dry = Collections.run(admin(), true, false);
        assertThat(removed(dry, "tag")).as("%s", dry).containsExactly("v1");
        assertThat(removed(dry, "manifest")).contains(old);
        assertThat(p.pull(repo, "v1")).as("a dry run untags nothing").isEqualTo(200);

        JsonNode real = Collections.run(admin(), false, false);
        assertThat(real.get("tags_deleted").asLong()).as("%s", real).isEqualTo(1);
        assertThat(removed(real, "manifest")).contains(old).doesNotContain(newer, other);
        assertThat(p.pull(repo, "v1")).isEqualTo(404);
        assertThat(p.head(repo, old)).isEqualTo(404);
        assertThat(Collections.stored(data(), old)).isFalse();
        assertThat(p.pull(repo, "v2")).isEqualTo(200);
        assertThat(p.pull(repo, "latest")).isEqualTo(200);
        assertThat(admin().delete("/api/v1/repositories/admin/" + name + "/retention").status()).isEqualTo(204);
    }

    @Test
    void runsAreForSiteAdminsListedAndAudited() {
        String user = uniqueName("gcuser");
        Http someone = server.http().bearer(Sessions.newUser(server, user, "correct-horse-battery"));
        assertThat(someone.post("/api/v1/gc", Map.of()).status()).isEqualTo(403);
        assertThat(server.http().post("/api/v1/gc", Map.of()).status()).isEqualTo(401);
        assertThat(someone.get("/api/v1/gc").status()).isEqualTo(403);

        JsonNode run = Collections.run(admin(), true, false);
        String id = run.get("id").asText();
        for (String bad : List.of("nope", "00000000-0000-0000-0000-000000000000", id + "0")) {
            Http.Response r = admin().get("/api/v1/gc/" + bad);
            assertThat(r.status()).as("%s", r).isEqualTo(404);
            assertThat(r.json().get("message").asText()).isNotBlank();
        }
        Http.Response badBody = admin().post("/api/v1/gc", Map.of("dry_run", "perhaps"));
        assertThat(badBody.status()).as("%s", badBody).isEqualTo(400);
        Http.Response badPage = admin().get("/api/v1/gc?page_size=1000");
        assertThat(badPage.status()).as("%s", badPage).isIn(400, 422);

        Http.Response list = admin().get("/api/v1/gc?page_size=5");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("count").asLong()).isPositive();
        List<String> ids = new ArrayList<>();
        list.json().get("results").forEach(r -> ids.add(r.get("id").asText()));
        assertThat(ids).contains(id);

        Http.Response log = admin().get("/v2/auditlogs/admin?action=user.gc.run&page_size=100");
        assertThat(log.status()).as("%s", log).isEqualTo(200);
        List<String> audited = log.json().get("logs").findValues("name").stream().map(JsonNode::asText)
                .collect(Collectors.toList());
        assertThat(audited).contains(id);
        Http.Response metrics = server.http().get("/metrics");
        assertThat(metrics.body()).contains("wharf_gc_runs_total").contains("wharf_gc_freed_bytes_total");
    }

    private static List<String> removed(JsonNode run, String kind) {
        List<String> out = new ArrayList<>();
        run.get("items").forEach(i -> {
            if (i.get("kind").asText().equals(kind)) {
                out.add(i.get("name").asText());
            }
        });
        return out;
    }
}
