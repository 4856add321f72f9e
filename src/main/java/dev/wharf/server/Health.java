package dev.wharf.server;

import dev.wharf.db.Database;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.FilesystemBlobStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /healthz}: 200 when the server can do its work, 503 naming what is broken: the metadata database
 * (unreachable, or closed after an I/O failure), the blob store (unreachable, or no space left) or the data
 * directory. A load balancer takes a node out on 503 and back in once it recovers, which it does by itself. The
 * checks run at most once a second, however often the endpoint is asked.
 *
 * <p>{@code GET /readyz}: whether the node takes new work. It answers as {@code /healthz} does until the node starts
 * draining (on SIGTERM), then 503 for good while {@code /healthz} still says the node is alive, so that an
 * orchestrator stops routing to the node without restarting it.
 */
final class Health {
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    private final Database database;
    private final Path dataDir;
    private final BlobStore blobStore;
    private final Clock clock;
    private volatile Report last;
    private volatile boolean draining;

    private record Report(Instant at, String database, String storage) {
        boolean healthy() {
            return "ok".equals(database) && "ok".equals(storage);
        }
    }

    Health(Database database, Path dataDir, BlobStore blobStore, Clock clock) {
        this.database = database;
        this.dataDir = dataDir;
        this.blobStore = blobStore;
        this.clock = clock;
    }

    void serveHealth(Context ctx) {
        Report report = report();
        answer(ctx, report.healthy() ? "ok" : "unavailable", report);
    }

    void serveReadiness(Context ctx) {
        Report report = report();
        answer(ctx, draining ? "draining" : report.healthy() ? "ok" : "unavailable", report);
    }

    /** From now on {@code /readyz} answers 503: the node is going away and takes no new work. */
    void drain() {
        draining = true;
    }

    private static void answer(Context ctx, String status, Report report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("database", report.database());
        body.put("storage", report.storage());
        ctx.status("ok".equals(status) ? 200 : 503).json(body);
    }

    private Report report() {
        Report current = last;
        Instant now = clock.instant();
        if (current != null && current.at().plus(CHECK_INTERVAL).isAfter(now)) {
            return current;
        }
        Report fresh = new Report(now, database.isReachable() ? "ok" : "unreachable", storage());
        last = fresh;
        return fresh;
    }

    /** The blob store, then the data directory (which holds an H2 database and the signing keys). */
    private String storage() {
        Optional<String> blobs = blobStore.problem();
        if (blobs.isPresent()) {
            return blobs.get();
        }
        try {
            long free = Files.getFileStore(dataDir).getUsableSpace();
            return free < FilesystemBlobStore.MIN_FREE_BYTES ? "no space left (" + free / 1024 + " KiB free)" : "ok";
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
