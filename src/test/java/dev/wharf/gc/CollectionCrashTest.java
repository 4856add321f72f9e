package dev.wharf.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Backend;
import dev.wharf.testing.ChildServer;
import dev.wharf.testing.Collections;
import dev.wharf.testing.Http;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while a collection removes hundreds of images, then a restart: every image that was kept pulls back
 * intact, the interrupted run is recorded as such, and a full sweep afterwards leaves exactly the files of the kept
 * images on disk, having removed only files no kept image needs.
 */
@Timeout(600)
abstract class CollectionCrashTest {
    private static final int KEPT = 20;
    private static final int DELETED = 200;

    @TempDir
    Path tmp;
    private ChildServer child;

    protected abstract Backend backend();

    @AfterEach
    void stop() {
        if (child != null) {
            child.close();
        }
    }

    @Test
    void killDuringACollectionThenRestart() throws Exception {
        String databaseUrl = backend().freshJdbcUrlOrSkip(getClass());
        Path dataDir = tmp.resolve("data");
        int port = ChildServer.freePort();
        start(dataDir, port, databaseUrl, "first");
        Http http = new Http(child.url());
        String session = Sessions.login(http, "admin", TestServer.ADMIN_PASSWORD);
        Http admin = http.bearer(session);
        String pat = admin.post("/v2/access-tokens", Map.of("token_label", "crash", "scopes", List.of("repo:admin")))
                .json().get("token").asText();
        Pushes pushes = new Pushes(child.url(), "admin", pat);

        byte[] base = bytes("a base layer every image shares");
        Map<String, List<byte[]>> kept = new HashMap<>();
        Map<String, String> keptDigests = new HashMap<>();
        for (int i = 0; i < KEPT + DELETED; i++) {
            String repo = "admin/crash" + (i % 4);
            byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + i + "}");
            byte[] own = bytes("own layer " + i);
            String digest = pushes.image(repo, "t" + i, config, List.of(base, own));
            if (i < KEPT) {
                kept.put(repo + ":t" + i, List.of(config, base, own));
                keptDigests.put(repo + ":t" + i, digest);
            } else {
                assertThat(pushes.deleteManifest(repo, digest)).isEqualTo(202);
            }
        }

        Http.Response started = admin.post("/api/v1/gc", Map.of());
        assertThat(started.status()).as("%s", started).isEqualTo(202);
        String killedRun = started.json().get("id").asText();
        child.kill();

        start(dataDir, port, databaseUrl, "second");
        http = new Http(child.url());
        admin = http.bearer(Sessions.login(http, "admin", TestServer.ADMIN_PASSWORD));
        pushes = new Pushes(child.url(), "admin", pat);
        pullBack(pushes, kept, keptDigests);

        JsonNode queued = Collections.run(admin, false, false);
        assertThat(queued.get("state").asText()).as("%s", queued).isEqualTo("succeeded");
        JsonNode killed = admin.get("/api/v1/gc/" + killedRun).json();
        assertThat(killed.get("state").asText()).as("the killed run: %s", killed).isIn("interrupted", "succeeded");
        System.err.printf("the run killed with SIGKILL: %s after %s blobs%n", killed.get("state").asText(),
                killed.get("blobs_deleted").asText());
        JsonNode full = Collections.run(admin, false, true);
        assertThat(full.get("state").asText()).as("%s", full).isEqualTo("succeeded");
        pullBack(pushes, kept, keptDigests);

        Set<String> live = new HashSet<>();
        for (Map.Entry<String, List<byte[]>> image : kept.entrySet()) {
            image.getValue().forEach(b -> live.add(Pushes.digest(b)));
            live.add(keptDigests.get(image.getKey()));
        }
        List<String> removed = new ArrayList<>();
        full.get("items").forEach(item -> removed.add(item.get("name").asText()));
        assertThat(removed).as("the full sweep removes nothing a kept image needs").doesNotContainAnyElementsOf(live);
        assertThat(storedDigests(dataDir)).as("the store holds exactly the kept images' objects")
                .containsExactlyInAnyOrderElementsOf(live);
    }

    private static void pullBack(Pushes pushes, Map<String, List<byte[]>> kept, Map<String, String> digests) {
        for (Map.Entry<String, List<byte[]>> image : kept.entrySet()) {
            String repo = image.getKey().substring(0, image.getKey().indexOf(':'));
            String tag = image.getKey().substring(repo.length() + 1);
            byte[] manifest = pushes.manifestBytes(repo, tag);
            assertThat(manifest).as("%s", image.getKey()).isNotNull();
            assertThat(Pushes.digest(manifest)).isEqualTo(digests.get(image.getKey()));
            for (byte[] blob : image.getValue()) {
                assertThat(pushes.blobBytes(repo, Pushes.digest(blob))).as("a blob of %s", image.getKey())
                        .isEqualTo(blob);
            }
        }
    }

    private static Set<String> storedDigests(Path dataDir) throws Exception {
        Set<String> out = new HashSet<>();
        try (Stream<Path> files = Files.walk(dataDir.resolve("blobs").resolve("sha256"))) {
            files.filter(Files::isRegularFile).forEach(f -> out.add("sha256:" + f.getFileName()));
        }
        return out;
    }

    private void start(Path dataDir, int port, String databaseUrl, String name) throws Exception {
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--gc-protection-window", "0s",
                "--gc-interval", "0s"));
        if (databaseUrl != null) {
            args.addAll(List.of("--database-url", databaseUrl));
        }
        child = ChildServer.start(tmp.resolve(name + ".log"), port, List.of("-Xmx256m"), args.toArray(String[]::new));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
