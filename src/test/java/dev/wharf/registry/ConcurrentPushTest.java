package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty skopeo processes push twenty images into one repository at once. The images share two base layers (so the
 * same blobs are uploaded concurrently) and each has a layer of its own. All pushes succeed and every image pulls back
 * byte-identical.
 */
@Timeout(600)
abstract class ConcurrentPushTest extends RegistryTestBase {
    static final int IMAGES = 20;

    @TempDir
    Path tmp;

    @Override
    protected boolean needsSkopeo() {
        return true;
    }

    @Test
    void twentyParallelPushesOfImagesSharingLayers() throws Exception {
        byte[] base1 = OciLayout.layer(1000, 1_500_000);
        byte[] base2 = OciLayout.layer(1001, 400_000);
        List<Path> layouts = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            Path dir = tmp.resolve("image-" + i);
            OciLayout.write(dir, "latest", List.of(base1, base2, OciLayout.layer(2000 + i, 100_000 + i)));
            layouts.add(dir);
        }
        String host = "127.0.0.1:" + server.port();
        String creds = "alice:" + alicePat;
        ExecutorService pool = Executors.newFixedThreadPool(IMAGES);
        try {
            List<Future<Skopeo.Result>> pushes = new ArrayList<>();
            for (int i = 0; i < IMAGES; i++) {
                Path dir = layouts.get(i);
                String tag = "c" + i;
                pushes.add(pool.submit(() -> Skopeo.push(dir, "latest", host + "/alice/shared:" + tag, creds)));
            }
            for (Future<Skopeo.Result> f : pushes) {
                Skopeo.Result r = f.get(300, TimeUnit.SECONDS);
                assertThat(r.ok()).as(r.toString()).isTrue();
            }
            List<Future<Skopeo.Result>> pulls = new ArrayList<>();
            for (int i = 0; i < IMAGES; i++) {
                Path out = tmp.resolve("pulled-" + i);
                String tag = "c" + i;
                pulls.add(pool.submit(() -> Skopeo.pull(host + "/alice/shared:" + tag, out, tag, creds)));
            }
            for (Future<Skopeo.Result> f : pulls) {
                Skopeo.Result r = f.get(300, TimeUnit.SECONDS);
                assertThat(r.ok()).as(r.toString()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < IMAGES; i++) {
            Map<String, byte[]> original = OciLayout.blobs(layouts.get(i));
            Map<String, byte[]> pulled = OciLayout.blobs(tmp.resolve("pulled-" + i));
            assertThat(pulled.keySet()).as("image " + i).containsExactlyInAnyOrderElementsOf(original.keySet());
            for (Map.Entry<String, byte[]> e : original.entrySet()) {
                assertThat(pulled.get(e.getKey())).as("image " + i + " blob " + e.getKey()).isEqualTo(e.getValue());
            }
        }
        RegistryClient.Res tags = alice().get("/v2/alice/shared/tags/list");
        assertThat(tags.json().path("tags")).hasSize(IMAGES);
    }
}
