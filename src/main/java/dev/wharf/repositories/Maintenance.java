package dev.wharf.repositories;

import dev.wharf.core.Background;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of the registry on one daemon thread: writes pending pull counts every minute, and removes
 * uploads idle for longer than the configured maximum age (checked every tenth of that age, at most every 10 minutes).
 */
public final class Maintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    private final Background background = new Background("wharf-registry-maintenance");
    private final PullCounter pulls;

    public Maintenance(Uploads uploads, PullCounter pulls, Duration uploadMaxAge) {
        this.pulls = pulls;
        Duration minute = Duration.ofMinutes(1);
        Duration every = Duration.ofSeconds(Math.max(1, Math.min(uploadMaxAge.toSeconds() / 10, 600)));
        background.every("pull counts", minute, minute, pulls::flushDue);
        background.every("upload cleanup", every, every, () -> {
            int removed = uploads.removeAbandoned(uploadMaxAge);
            if (removed > 0) {
                LOG.info("removed {} abandoned uploads idle for more than {}", removed, uploadMaxAge);
            }
        });
    }

    /** Stops the schedule and writes every pending pull count. */
    @Override
    public void close() {
        background.close();
        try {
            pulls.flushAll();
        } catch (RuntimeException e) {
            LOG.warn("could not write pending pull counts: {}", e.toString());
        }
    }
}
