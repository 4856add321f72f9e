package dev.wharf.repositories;

import dev.wharf.accounts.NamespaceSettings;
import dev.wharf.audit.Actor;
import dev.wharf.core.Background;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Starts collections on their own: a queue run every {@code interval} (unless it is zero), and one whenever a weekly
 * schedule that an organization set through the IONOS dialect ({@code garbageCollectionSchedule}) has come due since
 * the last run such a schedule started. The collector is one for the whole store, so a due schedule starts a run of
 * everything that is due, not of that organization alone. A start that finds another run going (here or on another
 * node) waits for the next check.
 */
public final class CollectionWorker implements AutoCloseable {
    private static final Duration SCHEDULE_CHECK = Duration.ofMinutes(1);

    private final Background background = new Background("wharf-gc-schedule");
    private final GarbageCollector collector;
    private final Supplier<List<NamespaceSettings.Schedule>> schedules;
    private final Clock clock;

    public CollectionWorker(GarbageCollector collector, Duration interval,
                            Supplier<List<NamespaceSettings.Schedule>> schedules, Clock clock) {
        this.collector = collector;
        this.schedules = schedules;
        this.clock = clock;
        if (!interval.isZero()) {
            background.every("scheduled garbage collection", interval, interval, () -> startDue(true));
        }
        Duration check = interval.isZero() || interval.compareTo(SCHEDULE_CHECK) > 0 ? SCHEDULE_CHECK : interval;
        background.every("organizations' garbage collection schedules", check, check, () -> startDue(false));
    }

    /**
     * Starts the run of an organization's schedule that came due, else, on a queue turn, a queue run. Both turns ask
     * for the schedule first: they may fire together, and a queue run started just before would otherwise find the
     * schedule's check busy at every turn. A schedule's run does all that a queue run does.
     */
    private void startDue(boolean queueTurn) {
        if (scheduleDue()) {
            start(CollectionRun.Trigger.NAMESPACE_SCHEDULE);
        } else if (queueTurn) {
            start(CollectionRun.Trigger.SCHEDULE);
        }
    }

    /** Whether an organization's schedule has come due since the last run a schedule started. */
    private boolean scheduleDue() {
        Optional<Instant> due = CollectionSchedule.lastDue(schedules.get(), clock.instant());
        if (due.isEmpty()) {
            return false;
        }
        Optional<OffsetDateTime> last = collector.lastBegun(CollectionRun.Trigger.NAMESPACE_SCHEDULE);
        return last.isEmpty() || last.get().toInstant().isBefore(due.get());
    }

    private void start(CollectionRun.Trigger trigger) {
        var unused = collector.startIfIdle(new GarbageCollector.Request(trigger, false, false, null, Actor.COLLECTOR));
    }

    @Override
    public void close() {
        background.close();
    }
}
