package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.audit.LogOwner;
import dev.wharf.core.DomainException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online garbage collection: starts runs (one at a time across every node sharing the database), runs them on one
 * background thread while the registry keeps serving, records their progress, counts them in metrics and audits
 * each one in a site admin's log with its totals. What is garbage and how it is removed safely is {@link Collection}.
 */
public final class GarbageCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    /** Progress is written at most this often while a run goes. */
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);
    private static final int FILE_REMOVERS = 8;

    private final Jdbi jdbi;
    private final Repositories repositories;
    private final RetentionPolicies policies;
    private final Retention retention;
    private final AuditLog audit;
    private final Supplier<Optional<LogOwner>> siteAdminLog;
    private final Clock clock;
    private final CollectionLock lock;
    private final CollectionRuns runs;
    private final Metrics metrics;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ExecutorService worker = daemons(1, "wharf-gc");
    /** Removes a run's files; removals wait on the disk, so several go at once. */
    private final ExecutorService deleters = daemons(FILE_REMOVERS, "wharf-gc-delete");

    /** Who asks for a run and how: the requester's log gets the audit event; none means a site admin's. */
    public record Request(CollectionRun.Trigger trigger, boolean dryRun, boolean full, LogOwner requester,
                          Actor actor) {
    }

    public GarbageCollector(Jdbi jdbi, boolean postgres, Repositories repositories, RetentionPolicies policies,
                            Retention retention, AuditLog audit, Supplier<Optional<LogOwner>> siteAdminLog,
                            MeterRegistry meters, Clock clock) {
        this.jdbi = jdbi;
        this.repositories = repositories;
        this.policies = policies;
        this.retention = retention;
        this.audit = audit;
        this.siteAdminLog = siteAdminLog;
        this.clock = clock;
        this.lock = CollectionLock.of(jdbi, postgres);
        this.runs = new CollectionRuns(jdbi, clock);
        this.metrics = new Metrics(meters);
    }

    public CollectionRuns runs() {
        return runs;
    }

    /**
     * Starts a run and returns it as it begins.
     *
     * @throws DomainException.Conflict when a collection is already running here or on another node
     */
    public CollectionRun start(Request request) {
        return startIfIdle(request).orElseThrow(() -> new DomainException.Conflict(
                "a garbage collection is already running; wait for it to end"));
    }

    /** Starts a run unless one is going; empty when one is. */
    public Optional<CollectionRun> startIfIdle(Request request) {
        if (stopping.get()) {
            return Optional.empty();
        }
        Optional<CollectionLock.Held> held = lock.tryAcquire();
        if (held.isEmpty()) {
            return Optional.empty();
        }
        try {
            CollectionRuns.Stored stored = runs.begin(request.trigger(), request.dryRun(), request.full(),
                    request.actor().name(), request.actor().accountId());
            int interrupted = runs.interruptOthers(stored.rowId());
            if (interrupted > 0) {
                LOG.warn("marked {} garbage collection(s) as interrupted: their node stopped while they ran",
                        interrupted);
            }
            worker.execute(() -> {
                try {
                    execute(stored, request);
                } finally {
                    held.get().close();
                }
            });
            return Optional.of(stored.run());
        } catch (RuntimeException e) {
            held.get().close();
            throw e;
        }
    }

    private void execute(CollectionRuns.Stored stored, Request request) {
        long rowId = stored.rowId();
        ProgressWriter progress = new ProgressWriter(rowId);
        Collection collection = new Collection(jdbi, repositories, policies, retention, clock, request.dryRun(),
                request.full(), progress, stopping::get, deleters);
        long started = System.nanoTime();
        CollectionRun.State state = CollectionRun.State.SUCCEEDED;
        String error = null;
        try {
            collection.run();
        } catch (Collection.Stopped e) {
            state = CollectionRun.State.INTERRUPTED;
            error = e.getMessage();
        } catch (RuntimeException e) {
            state = CollectionRun.State.FAILED;
            error = e.toString();
            LOG.error("garbage collection {} failed", stored.run().id(), e);
        }
        CollectionRun.Totals totals = collection.totals();
        runs.finish(rowId, state, totals, error);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        metrics.record(request, state, totals, took);
        LOG.info("garbage collection {} ({}{}) {}: reviewed {}, deleted {} tags, {} manifests, {} blobs, {} bytes in {}"
                        + " ms", stored.run().id(), request.full() ? "full" : "queue", request.dryRun() ? ", dry run" : "",
                state.name().toLowerCase(java.util.Locale.ROOT), totals.reviewed(), totals.tagsDeleted(),
                totals.manifestsDeleted(), totals.blobsDeleted(), totals.bytesFreed(), took.toMillis());
        auditRun(stored, request, state, totals, took);
    }

    private void auditRun(CollectionRuns.Stored stored, Request request, CollectionRun.State state,
                          CollectionRun.Totals totals, Duration took) {
        Optional<LogOwner> owner = request.requester() != null ? Optional.of(request.requester())
                : siteAdminLog.get();
        if (owner.isEmpty()) {
            return;
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        data.put("trigger", CollectionRuns.wire(request.trigger()));
        data.put("dry_run", Boolean.toString(request.dryRun()));
        data.put("full", Boolean.toString(request.full()));
        data.put("reviewed", Long.toString(totals.reviewed()));
        data.put("tags_deleted", Long.toString(totals.tagsDeleted()));
        data.put("manifests_deleted", Long.toString(totals.manifestsDeleted()));
        data.put("blobs_deleted", Long.toString(totals.blobsDeleted()));
        data.put("bytes_freed", Long.toString(totals.bytesFreed()));
        data.put("duration_ms", Long.toString(took.toMillis()));
        try {
            audit.record(owner.get(), AuditAction.USER_GC_RUN, stored.run().id().toString(), request.actor(), data);
        } catch (RuntimeException e) {
            LOG.warn("cannot audit garbage collection {}: {}", stored.run().id(), e.toString());
        }
    }

    /** Writes a run's progress to its record, at most every {@link #PROGRESS_EVERY}, and its removals. */
    private final class ProgressWriter implements Collection.Progress {
        private final long rowId;
        private long lastWrite;
        private String lastPhase = "";
        private int position;

        ProgressWriter(long rowId) {
            this.rowId = rowId;
        }

        @Override
        public void update(String phase, CollectionRun.Totals totals) {
            long now = System.nanoTime();
            if (phase.equals(lastPhase) && now - lastWrite < PROGRESS_EVERY.toNanos()) {
                return;
            }
            lastPhase = phase;
            lastWrite = now;
            runs.progress(rowId, phase, totals);
        }

        @Override
        public void removed(List<CollectionRun.Item> items) {
            runs.addItems(rowId, position, items);
            position += items.size();
        }
    }

    /** The collector's meters, each tagged with whether the run was a dry run. */
    private static final class Metrics {
        private final MeterRegistry meters;

        Metrics(MeterRegistry meters) {
            this.meters = meters;
        }

        void record(Request request, CollectionRun.State state, CollectionRun.Totals totals, Duration took) {
            String dry = Boolean.toString(request.dryRun());
            String mode = request.full() ? "full" : "queue";
            Counter.builder("wharf.gc.runs").description("Garbage collections that ended")
                    .tags("dry_run", dry, "mode", mode, "state", state.name().toLowerCase(java.util.Locale.ROOT))
                    .register(meters).increment();
            count("wharf.gc.reviewed", "Queue entries a collection looked at", dry, totals.reviewed());
            count("wharf.gc.tags.deleted", "Tags retention policies removed", dry, totals.tagsDeleted());
            count("wharf.gc.manifests.deleted", "Manifests a collection removed", dry, totals.manifestsDeleted());
            count("wharf.gc.blobs.deleted", "Blobs a collection removed", dry, totals.blobsDeleted());
            count("wharf.gc.freed.bytes", "Bytes of blobs a collection removed", dry, totals.bytesFreed());
            Timer.builder("wharf.gc.run.duration").description("How long garbage collections take")
                    .tags("dry_run", dry, "mode", mode).register(meters).record(took);
        }

        private void count(String name, String description, String dry, long amount) {
            Counter.builder(name).description(description).tags("dry_run", dry).register(meters).increment((double) amount);
        }
    }

    private static ExecutorService daemons(int threads, String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threads == 1 ? name : name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** When a run that {@code trigger} started last began, if ever. */
    public Optional<OffsetDateTime> lastBegun(CollectionRun.Trigger trigger) {
        return runs.lastBegun(trigger);
    }

    /** Asks a running collection to stop at its next batch, and waits a little for it. */
    @Override
    public void close() {
        stopping.set(true);
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
            deleters.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
