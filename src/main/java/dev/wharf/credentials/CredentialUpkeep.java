package dev.wharf.credentials;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of credentials on one daemon thread, at start and then every minute: audits the end of rotation
 * grace windows, sends the expiry warnings that are due, and counts the credentials that expire soon. Each task is
 * safe to run on every node at once (each change is claimed by one conditional update).
 */
public final class CredentialUpkeep implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialUpkeep.class);
    private static final long EVERY_SECONDS = 60;

    private final Credentials credentials;
    private final ExpiryWarnings warnings;
    private final ExpiryWarnings.Recipient recipient;
    private final AtomicLong expiringSoon = new AtomicLong();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wharf-credential-upkeep");
        t.setDaemon(true);
        return t;
    });

    /** @param recipient who gets the expiry warnings, or null to send none */
    public CredentialUpkeep(Credentials credentials, ExpiryWarnings warnings, ExpiryWarnings.Recipient recipient) {
        this.credentials = credentials;
        this.warnings = warnings;
        this.recipient = recipient;
        var unused = executor.scheduleWithFixedDelay(this::runNow, 0, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Runs every task once, now. Runs never overlap: a caller waits for one under way (tests that move a manual
     * clock call this rather than wait for the schedule, and see everything the run did once it returns).
     */
    public synchronized void runNow() {
        run("rotation grace windows", credentials::finishGraceWindows);
        if (recipient != null) {
            run("expiry warnings", () -> warnings.send(recipient));
        }
        run("counting expiring credentials", () -> expiringSoon.set(warnings.expiringSoon()));
    }

    /** Credentials that work and expire within 7 days, as of the last run. */
    public long expiringSoon() {
        return expiringSoon.get();
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
