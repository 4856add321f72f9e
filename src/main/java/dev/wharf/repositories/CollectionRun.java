package dev.wharf.repositories;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A garbage collection as recorded: what started it, where it is, and what it removed (for a dry run: would remove).
 * The counters are complete; {@link CollectionRuns#items} lists the removals themselves, up to a bound.
 */
public record CollectionRun(UUID id, State state, Trigger trigger, boolean dryRun, boolean full, String requestedBy,
                            OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt,
                            String phase, Totals totals, String error) {

    public enum State {
        RUNNING, SUCCEEDED, FAILED, INTERRUPTED;

        public boolean ended() {
            return this != RUNNING;
        }
    }

    /** What started a run. */
    public enum Trigger {
        API, CLI, SCHEDULE, NAMESPACE_SCHEDULE
    }

    /** What a run has looked at and removed so far. */
    public record Totals(long reviewed, long tagsDeleted, long manifestsDeleted, long blobsDeleted, long bytesFreed,
                         long filesScanned) {
        public static final Totals NONE = new Totals(0, 0, 0, 0, 0, 0);
    }

    /** One removal: a tag, a manifest or a blob. */
    public record Item(String kind, String repository, String name, Long size) {
    }

    /** How long it ran, or has been running until {@code now}. */
    public Duration duration(OffsetDateTime now) {
        if (startedAt == null) {
            return Duration.ZERO;
        }
        return Duration.between(startedAt, finishedAt != null ? finishedAt : now);
    }
}
