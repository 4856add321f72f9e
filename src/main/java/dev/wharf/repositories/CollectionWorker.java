package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.core.Background;
import java.time.Duration;

/**
 * Starts collections on their own: a queue run every {@code interval}. A run that finds another one going (here or
 * on another node) is skipped until the next time.
 */
public final class CollectionWorker implements AutoCloseable {
    private final Background background = new Background("wharf-gc-schedule");

    public CollectionWorker(GarbageCollector collector, Duration interval) {
        if (!interval.isZero()) {
            background.every("scheduled garbage collection", interval, interval,
                    () -> collector.startIfIdle(new GarbageCollector.Request(CollectionRun.Trigger.SCHEDULE, false,
                            false, null, Actor.COLLECTOR)));
        }
    }

    @Override
    public void close() {
        background.close();
    }
}
