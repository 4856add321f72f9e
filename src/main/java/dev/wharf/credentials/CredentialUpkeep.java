package dev.wharf.credentials;

import dev.wharf.core.Background;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Background upkeep of credentials on one daemon thread, at start and then every minute: audits the end of rotation
 * grace windows, sends the expiry warnings that are due, and counts the credentials that expire soon. Each task is
 * safe to run on every node at once (each change is claimed by one conditional update).
 */
public final class CredentialUpkeep implements AutoCloseable {
    private static final Duration EVERY = Duration.ofMinutes(1);

    private final Credentials credentials;
    private final ExpiryWarnings warnings;
    private final ExpiryWarnings.Recipient recipient;
    private final AtomicLong expiringSoon = new AtomicLong();
    private final Background background = new Background("wharf-credential-upkeep");

    /** @param recipient who gets the expiry warnings, or null to send none */
    public CredentialUpkeep(Credentials credentials, ExpiryWarnings warnings, ExpiryWarnings.Recipient recipient) {
        this.credentials = credentials;
        this.warnings = warnings;
        this.recipient = recipient;
        background.every("credential upkeep", Duration.ZERO, EVERY, this::runNow);
    }

    /**
     * Runs every task once, now. Runs never overlap: a caller waits for one under way (tests that move a manual
     * clock call this rather than wait for the schedule, and see everything the run did once it returns).
     */
    public synchronized void runNow() {
        Background.logFailure("rotation grace windows", credentials::finishGraceWindows);
        if (recipient != null) {
            Background.logFailure("expiry warnings", () -> warnings.send(recipient));
        }
        Background.logFailure("counting expiring credentials", () -> expiringSoon.set(warnings.expiringSoon()));
    }

    /** Credentials that work and expire within 7 days, as of the last run. */
    public long expiringSoon() {
        return expiringSoon.get();
    }

    @Override
    public void close() {
        background.close();
    }
}
