package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Runs garbage collections through the admin API and looks at the blob store's files, for the collector's tests. */
public final class Collections {
    private static final long RUN_TIMEOUT_MILLIS = 120_000;

    private Collections() {
    }

    /**
     * Starts a run, once no other is going (the background worker's may be), and waits until it has ended; returns
     * its final JSON (with the removed items).
     */
    public static JsonNode run(Http admin, boolean dryRun, boolean full) {
        long deadline = System.currentTimeMillis() + RUN_TIMEOUT_MILLIS;
        Http.Response started = admin.post("/api/v1/gc", Map.of("dry_run", dryRun, "full", full));
        while (started.status() == 409 && System.currentTimeMillis() < deadline) {
            pause();
            started = admin.post("/api/v1/gc", Map.of("dry_run", dryRun, "full", full));
        }
        assertThat(started.status()).as("%s", started).isEqualTo(202);
        return awaitEnd(admin, started.json().get("id").asText());
    }

    /** Waits, at most two minutes, for a run to end, polling its progress. */
    public static JsonNode awaitEnd(Http admin, String id) {
        long deadline = System.currentTimeMillis() + RUN_TIMEOUT_MILLIS;
        while (true) {
            Http.Response r = admin.get("/api/v1/gc/" + id + "?verbose=true");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            if (!r.json().get("state").asText().equals("running")) {
                return r.json();
            }
            assertThat(System.currentTimeMillis()).as("run %s still running", id).isLessThan(deadline);
            pause();
        }
    }

    /** Between two polls for a run's state: waiting for an event, not for time to pass. */
    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The file a blob is stored in, under a server's data directory. */
    public static Path blobFile(Path dataDir, String digest) {
        String hex = digest.substring("sha256:".length());
        return dataDir.resolve("blobs").resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
    }

    public static boolean stored(Path dataDir, String digest) {
        return Files.exists(blobFile(dataDir, digest));
    }
}
