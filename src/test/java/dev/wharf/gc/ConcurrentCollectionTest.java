package dev.wharf.gc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Collections;
import dev.wharf.testing.Http;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Nothing alive is ever collected: 20 clients push images that share layers, while others delete images with the
 * same layers (so that the shared layers keep being queued) and collections, queued and full, run back to back with
 * no protection window at all. A push may then be refused (a layer it uploaded was collected before its manifest
 * named it: with no window that is garbage) and is retried, as a client would. So that retries make progress, the
 * next collection starts once one of the 20 clients' pushes has ended since the last one began (the deleter's do not
 * count: it never stops, and collections it triggered back to back could refuse a push every time). Every image
 * whose push succeeded pulls
 * back byte-identical, after the storm and after a final full sweep.
 */
abstract class ConcurrentCollectionTest extends ServerTest {
    private static final int PUSHERS = 20;
    private static final int IMAGES_PER_PUSHER = 3;
    /** Attempts of one push: each collection refuses the pushes that were between uploading and naming a layer. */
    private static final int ATTEMPTS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected WharfConfig configure(WharfConfig config) {
        return config.toBuilder().gcProtectionWindow(Duration.ZERO).gcInterval(Duration.ZERO).build();
    }

    /** An image as its pusher sent it: the config first, then the layers. */
    private record Pushed(String repo, String tag, String digest, List<byte[]> blobs) {
        byte[] config() {
            return blobs.get(0);
        }

        List<byte[]> layers() {
            return blobs.subList(1, blobs.size());
        }
    }

    @Test
    void everyImagePushedDuringCollectionsPullsBackByteIdentical() throws Exception {
        String ns = "admin/" + uniqueName("storm");
        byte[] base = bytes("base layer shared by every image " + ns);
        byte[] runtime = bytes("runtime layer shared by every image " + ns);
        String session = Sessions.adminSession(server);
        // A token, as CI clients use: password sign-ins are throttled when many arrive at once.
        Pushes pushes = new Pushes(server.url(), "admin", Sessions.newToken(server, session, "storm", "repo:admin"));
        Http admin = server.http().bearer(session);
        AtomicBoolean pushing = new AtomicBoolean(true);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        Map<String, Pushed> pushed = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(PUSHERS + 2);
        try {
            Future<?> collector = pool.submit(() -> {
                while (pushing.get()) {
                    int before = completed.get();
                    JsonNode run = Collections.run(admin, false, runs.get() % 3 == 2);
                    assertThat(run.get("state").asText()).as("%s", run).isEqualTo("succeeded");
                    runs.incrementAndGet();
                    while (pushing.get() && completed.get() == before) {
                        Thread.sleep(5); // waiting for a client's push to end, not for time to pass
                    }
                }
                return null;
            });
            Future<?> deleter = pool.submit(() -> {
                for (int n = 0; pushing.get(); n++) {
                    int i = n;
                    String repo = ns + "-trash";
                    byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"trash\":" + i + "}");
                    String digest = withRetries(() -> pushes.image(repo, "t" + i, config, List.of(base, runtime)),
                            retries);
                    assertThat(pushes.deleteManifest(repo, digest)).isEqualTo(202);
                }
                return null;
            });
            List<Future<?>> pushers = new ArrayList<>();
            for (int p = 0; p < PUSHERS; p++) {
                int pusher = p;
                pushers.add(pool.submit(() -> {
                    for (int i = 0; i < IMAGES_PER_PUSHER; i++) {
                        String repo = ns + "-" + (pusher % 5);
                        String tag = "p" + pusher + "-" + i;
                        byte[] own = bytes("layer of " + tag + " in " + ns);
                        byte[] config = bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + "\"}");
                        List<byte[]> layers = List.of(base, runtime, own);
                        String digest = withRetries(() -> pushes.image(repo, tag, config, layers), retries);
                        pushed.put(tag, new Pushed(repo, tag, digest, List.of(config, base, runtime, own)));
                        completed.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : pushers) {
                f.get(5, TimeUnit.MINUTES);
            }
            pushing.set(false);
            deleter.get(2, TimeUnit.MINUTES);
            collector.get(2, TimeUnit.MINUTES);
        } finally {
            pushing.set(false);
            pool.shutdownNow();
        }
        assertThat(pushed).hasSize(PUSHERS * IMAGES_PER_PUSHER);
        assertThat(runs.get()).as("collections that ran during the pushes").isPositive();
        System.err.printf("concurrent collection: %d runs, %d push retries%n", runs.get(), retries.get());

        pullAllBack(pushes, pushed);
        JsonNode full = Collections.run(admin, false, true);
        assertThat(full.get("state").asText()).as("%s", full).isEqualTo("succeeded");
        pullAllBack(pushes, pushed);
    }

    private static void pullAllBack(Pushes pushes, Map<String, Pushed> pushed) throws Exception {
        for (Pushed image : pushed.values()) {
            byte[] manifest = pushes.manifestBytes(image.repo(), image.tag());
            assertThat(manifest).as("manifest of %s", image.tag()).isNotNull();
            assertThat(Pushes.digest(manifest)).isEqualTo(image.digest());
            JsonNode doc = JSON.readTree(manifest);
            assertThat(pushes.blobBytes(image.repo(), doc.get("config").get("digest").asText()))
                    .as("config of %s %s", image.tag(), Pushes.digest(image.config())).isEqualTo(image.config());
            for (int i = 0; i < image.layers().size(); i++) {
                assertThat(pushes.blobBytes(image.repo(), doc.get("layers").get(i).get("digest").asText()))
                        .as("layer %d of %s", i, image.tag()).isEqualTo(image.layers().get(i));
            }
        }
    }

    /** A client's retry of a push that a collection refused; anything else fails the test. */
    private static String withRetries(java.util.concurrent.Callable<String> push, AtomicInteger retries)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return push.call();
            } catch (AssertionError e) {
                boolean collected = e.getMessage().contains("UNKNOWN");
                if (!collected || attempt == ATTEMPTS) {
                    throw e;
                }
                retries.incrementAndGet();
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
