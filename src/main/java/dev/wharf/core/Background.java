package dev.wharf.core;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic upkeep on one named daemon thread. A task that fails is logged and runs again at its next time: upkeep
 * never stops because the database was away once.
 */
public final class Background implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Background.class);

    private final ScheduledExecutorService executor;

    public Background(String threadName) {
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} after {@code initialDelay}, then {@code every} after each run ends. */
    public void every(String what, Duration initialDelay, Duration every, Runnable task) {
        var unused = executor.scheduleWithFixedDelay(() -> logFailure(what, task), initialDelay.toMillis(),
                every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} here, logging instead of throwing when it fails. */
    public static void logFailure(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed: {}", what, e.toString());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
