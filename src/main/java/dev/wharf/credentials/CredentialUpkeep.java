package dev.wharf.credentials;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of credentials on one daemon thread, every minute: audits the end of rotation grace windows.
 * Each task is safe to run on every node at once (each change is claimed by one conditional update).
 */
public final class CredentialUpkeep implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialUpkeep.class);
    private static final long EVERY_SECONDS = 60;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wharf-credential-upkeep");
        t.setDaemon(true);
        return t;
    });

    public CredentialUpkeep(Credentials credentials) {
        var unused = executor.scheduleWithFixedDelay(() -> run("rotation grace windows",
                credentials::finishGraceWindows), EVERY_SECONDS, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    private static void run(String what, Runnable task) {
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
