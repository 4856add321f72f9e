package dev.wharf.repositories;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of the registry on one daemon thread: writes pending pull counts every minute, and removes
 * uploads idle for longer than the configured maximum age (checked every tenth of that age, at most every 10 minutes).
 */
public final class Maintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wharf-registry-maintenance");
        t.setDaemon(true);
        return t;
    });
    private final PullCounter pulls;

    public Maintenance(Uploads uploads, PullCounter pulls, Duration uploadMaxAge) {
        this.pulls = pulls;
        long every = Math.max(1, Math.min(uploadMaxAge.toSeconds() / 10, 600));
        var unusedPulls = executor.scheduleWithFixedDelay(() -> run("pull counts", pulls::flushDue), 60, 60,
                TimeUnit.SECONDS);
        var unusedUploads = executor.scheduleWithFixedDelay(() -> run("upload cleanup", () -> {
            int removed = uploads.removeAbandoned(uploadMaxAge);
            if (removed > 0) {
                LOG.info("removed {} abandoned uploads idle for more than {}", removed, uploadMaxAge);
            }
        }), every, every, TimeUnit.SECONDS);
    }

    private static void run(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed: {}", what, e.toString());
        }
    }

    /** Stops the schedule and writes every pending pull count. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            pulls.flushAll();
        } catch (RuntimeException e) {
            LOG.warn("could not write pending pull counts: {}", e.toString());
        }
    }
}
