package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.core.Timestamps;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One garbage collection, from start to end, on the collector's thread.
 *
 * <p>Phases: finish the removals a crash interrupted (tombstones), apply retention policies, then, for a full sweep,
 * adopt the store's files that no row knows and queue every untagged manifest and unreferenced blob; finally drain
 * the queue. Every decision is taken in a transaction that has locked the rows it decides about, with the same locks
 * as a push (writes of the blob and manifest rows), so a push that links a digest and a collection of it never both win. A
 * blob's file is removed only after the transaction that removed its rows and left a tombstone has committed.
 *
 * <p>A dry run does everything in one transaction that it rolls back at the end, and removes no file: what it reports
 * is what the same code would have removed. It takes no row locks beyond those of the deletions it rolls back.
 */
final class Collection {
    private static final Logger LOG = LoggerFactory.getLogger(Collection.class);
    /** Queue entries, blobs or files looked at per transaction. */
    private static final int BATCH = 500;
    private static final int RETRIES = 5;

    /** Retention as the collector applies it; implemented by {@link Retention}. */
    interface RetentionStep {
        List<Long> repositoriesWithPolicy(Handle h);

        List<Repositories.RemovedTag> apply(Handle h, long repositoryId, OffsetDateTime now,
                                            OffsetDateTime reviewAfter, Actor actor);
    }

    /** Where a run reports progress and removals. */
    interface Progress {
        void update(String phase, CollectionRun.Totals totals);

        void removed(List<CollectionRun.Item> items);
    }

    /** The run was asked to stop: the node is shutting down. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("the node is shutting down", null, false, false);
        }
    }

    private final Jdbi jdbi;
    private final Repositories repositories;
    private final BlobStore store;
    private final RetentionPolicies policies;
    private final RetentionStep retention;
    private final Clock clock;
    private final Duration window;
    private final boolean dryRun;
    private final boolean full;
    private final Progress progress;
    private final BooleanSupplier stopping;
    private final ExecutorService deleters;

    private Handle dry;
    private String phase = "starting";
    private long reviewed;
    private long tagsDeleted;
    private long manifestsDeleted;
    private long blobsDeleted;
    private long bytesFreed;
    private long filesScanned;
    /** Cascaded reviews are due at the run's start, so that this run sees them. */
    private OffsetDateTime startedAt;
    private final List<String> filesToRemove = new ArrayList<>();
    private final List<CollectionRun.Item> pendingItems = new ArrayList<>();

    Collection(Jdbi jdbi, Repositories repositories, RetentionPolicies policies, RetentionStep retention, Clock clock,
               boolean dryRun, boolean full, Progress progress, BooleanSupplier stopping, ExecutorService deleters) {
        this.jdbi = jdbi;
        this.repositories = repositories;
        this.store = repositories.store();
        this.policies = policies;
        this.retention = retention;
        this.clock = clock;
        this.window = repositories.protectionWindow();
        this.dryRun = dryRun;
        this.full = full;
        this.progress = progress;
        this.stopping = stopping;
        this.deleters = deleters;
    }

    CollectionRun.Totals totals() {
        return new CollectionRun.Totals(reviewed, tagsDeleted, manifestsDeleted, blobsDeleted, bytesFreed,
                filesScanned);
    }

    void run() {
        startedAt = Timestamps.now(clock);
        if (dryRun) {
            dry = jdbi.open();
            dry.begin();
        }
        try {
            if (!dryRun) {
                finishInterruptedRemovals();
            }
            applyRetention();
            if (full) {
                adoptOrphanFiles();
                queueEverythingUnreferenced();
            }
            drain();
            report("done");
        } finally {
            if (dry != null) {
                try {
                    dry.rollback();
                } finally {
                    dry.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- phases

    /** Removes the files of blobs whose rows a run removed before its node stopped, and their tombstones. */
    private void finishInterruptedRemovals() {
        report("finishing interrupted removals");
        while (true) {
            checkStopping();
            List<String> left = jdbi.withHandle(h -> h.createQuery(
                            "SELECT digest FROM gc_tombstones ORDER BY digest LIMIT :n")
                    .bind("n", BATCH).mapTo(String.class).list());
            if (left.isEmpty()) {
                return;
            }
            filesToRemove.addAll(left);
            removeFiles();
        }
    }

    private void applyRetention() {
        report("applying retention policies");
        List<Long> repos = inTransaction(retention::repositoriesWithPolicy);
        for (long repositoryId : repos) {
            checkStopping();
            List<CollectionRun.Item> removed = inTransaction(h -> {
                Optional<Repository> repo = Repositories.byId(h, repositoryId);
                if (repo.isEmpty()) {
                    return List.<CollectionRun.Item>of();
                }
                return retention.apply(h, repositoryId, Timestamps.now(clock), startedAt, Actor.COLLECTOR).stream()
                        .map(t -> new CollectionRun.Item("tag", repo.get().name().value(), t.tag(), null))
                        .toList();
            });
            if (!removed.isEmpty()) {
                tagsDeleted += removed.size();
                pendingItems.addAll(removed);
                committed();
            }
        }
    }

    /**
     * Gives every file of the store that is older than the protection window and that no row knows a row of its
     * own, linked at its file's time, and queues it: from there it is collected like any other unreferenced blob. A
     * dry run counts them instead.
     */
    private void adoptOrphanFiles() {
        report("scanning the store");
        List<BlobStore.StoredBlob> batch = new ArrayList<>();
        try {
            store.forEachBlob(blob -> {
                filesScanned++;
                batch.add(blob);
                if (batch.size() == BATCH) {
                    adopt(batch);
                    batch.clear();
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk the blob store", e);
        }
        adopt(batch);
    }

    private void adopt(List<BlobStore.StoredBlob> files) {
        checkStopping();
        if (files.isEmpty()) {
            return;
        }
        OffsetDateTime cutoff = Timestamps.now(clock).minus(window);
        List<String> digests = files.stream().map(f -> f.digest().toString()).toList();
        Set<String> known = new HashSet<>(inTransaction(h -> h.createQuery(
                        "SELECT digest FROM blobs WHERE digest IN (<d>) UNION SELECT digest FROM gc_tombstones"
                                + " WHERE digest IN (<d>)")
                .bindList("d", digests).mapTo(String.class).list()));
        for (BlobStore.StoredBlob file : files) {
            OffsetDateTime modified = file.modified().atOffset(ZoneOffset.UTC);
            if (known.contains(file.digest().toString()) || modified.isAfter(cutoff)) {
                continue;
            }
            if (dryRun) {
                blobsDeleted++;
                bytesFreed += file.size();
                pendingItems.add(new CollectionRun.Item("blob", null, file.digest().toString(), file.size()));
                continue;
            }
            try {
                jdbi.useTransaction(h -> {
                    h.createUpdate("INSERT INTO blobs (digest, size, created_at, linked_at) VALUES (:d, :s, :at, :at)")
                            .bind("d", file.digest().toString()).bind("s", file.size()).bind("at", modified)
                            .execute();
                    repositories.queue().blob(h, file.digest(), startedAt);
                });
            } catch (RuntimeException e) {
                if (!Repositories.isUniqueViolation(e)) {
                    throw e;
                }
                // A push recorded it meanwhile: it is not an orphan.
            }
        }
        report(phase);
    }

    /** Queues every untagged manifest and every blob no manifest names, to be decided by the drain. */
    private void queueEverythingUnreferenced() {
        report("scanning the database");
        inTransaction(h -> {
            h.createUpdate("INSERT INTO gc_queue (manifest_id, review_after) SELECT m.id, :at FROM manifests m"
                            + " WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id)")
                    .bind("at", startedAt).execute();
            h.createUpdate("INSERT INTO gc_queue (digest, review_after) SELECT b.digest, :at FROM blobs b"
                            + " WHERE NOT EXISTS (SELECT 1 FROM manifest_references r WHERE r.digest = b.digest)"
                            + " AND NOT EXISTS (SELECT 1 FROM manifests m WHERE m.digest = b.digest)")
                    .bind("at", startedAt).execute();
            return null;
        });
    }

    /**
     * Reviews every queue entry that was due when the run began (cascaded reviews are due then too), in batches, each
     * decided in one transaction. Entries that come due while it runs wait for the next run: pushes queue entries
     * all the time, and a drain that chased them might never end, refusing every push that links and names a blob
     * across one of its batches.
     */
    private void drain() {
        report("reviewing");
        while (true) {
            checkStopping();
            OffsetDateTime now = Timestamps.now(clock);
            boolean more = inTransaction(h -> {
                List<Map.Entry<Long, Object>> entries = h.createQuery("SELECT id, manifest_id, digest FROM gc_queue"
                                + " WHERE review_after <= :due ORDER BY review_after, id LIMIT :n")
                        .bind("due", startedAt).bind("n", BATCH)
                        .map((rs, ctx) -> Map.<Long, Object>entry(rs.getLong(1),
                                rs.getObject(2) != null ? (Object) rs.getLong(2) : rs.getString(3)))
                        .list();
                if (entries.isEmpty()) {
                    return false;
                }
                h.createUpdate("DELETE FROM gc_queue WHERE id IN (<ids>)")
                        .bindList("ids", entries.stream().map(Map.Entry::getKey).toList()).execute();
                Set<Long> manifests = new LinkedHashSet<>();
                Set<String> blobs = new LinkedHashSet<>();
                for (Map.Entry<Long, Object> e : entries) {
                    if (e.getValue() instanceof Long id) {
                        manifests.add(id);
                    } else {
                        blobs.add((String) e.getValue());
                    }
                }
                reviewed += entries.size();
                reviewManifests(h, List.copyOf(manifests), now);
                reviewBlobs(h, List.copyOf(blobs), now);
                return true;
            });
            committed();
            if (!more) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- decisions

    private record ManifestRow(long id, long repositoryId, String digest, OffsetDateTime pushedAt) {
    }

    /**
     * Deletes the manifests that are garbage: untagged, named by no index of their repository, no referrer of a
     * manifest still there, the subject of no tagged referrer, and pushed before the protection window and their
     * retention policy's age for untagged manifests. Those not yet old enough are queued again for when they are.
     */
    private void reviewManifests(Handle h, List<Long> ids, OffsetDateTime now) {
        if (ids.isEmpty()) {
            return;
        }
        List<Long> locked = lock(h, "UPDATE manifests SET pushed_at = pushed_at WHERE id = :v", ids);
        if (locked.isEmpty()) {
            return;
        }
        List<ManifestRow> rows = h.createQuery("SELECT id, repository_id, digest, pushed_at FROM manifests"
                        + " WHERE id IN (<ids>) ORDER BY id")
                .bindList("ids", locked)
                .map((rs, ctx) -> new ManifestRow(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class)))
                .list();
        if (rows.isEmpty()) {
            return;
        }
        List<Long> found = rows.stream().map(ManifestRow::id).toList();
        Set<Long> alive = new HashSet<>();
        alive.addAll(ids(h, "SELECT DISTINCT manifest_id FROM tags WHERE manifest_id IN (<ids>)", found));
        alive.addAll(ids(h, "SELECT DISTINCT c.id FROM manifests c JOIN manifest_references r ON r.digest = c.digest"
                + " AND r.kind = 'manifest' JOIN manifests p ON p.id = r.manifest_id"
                + " AND p.repository_id = c.repository_id WHERE c.id IN (<ids>)", found));
        alive.addAll(ids(h, "SELECT c.id FROM manifests c JOIN manifests s ON s.repository_id = c.repository_id"
                + " AND s.digest = c.subject_digest WHERE c.id IN (<ids>)", found));
        alive.addAll(ids(h, "SELECT DISTINCT s.id FROM manifests s JOIN manifests r"
                + " ON r.repository_id = s.repository_id AND r.subject_digest = s.digest"
                + " JOIN tags t ON t.manifest_id = r.id WHERE s.id IN (<ids>)", found));
        Map<Long, RetentionPolicy> policy = policies.effective(h,
                rows.stream().map(ManifestRow::repositoryId).distinct().toList());
        Map<Long, List<Digest>> dead = new LinkedHashMap<>();
        Map<OffsetDateTime, List<Long>> later = new HashMap<>();
        for (ManifestRow row : rows) {
            if (alive.contains(row.id())) {
                continue;
            }
            OffsetDateTime safeUntil = row.pushedAt().plus(window);
            Optional<Duration> untaggedAge = Optional.ofNullable(policy.get(row.repositoryId()))
                    .flatMap(RetentionPolicy::untaggedAge);
            if (untaggedAge.isPresent() && row.pushedAt().plus(untaggedAge.get()).isAfter(safeUntil)) {
                safeUntil = row.pushedAt().plus(untaggedAge.get());
            }
            if (safeUntil.isAfter(now)) {
                later.computeIfAbsent(safeUntil, t -> new ArrayList<>()).add(row.id());
            } else {
                dead.computeIfAbsent(row.repositoryId(), r -> new ArrayList<>()).add(Digest.parse(row.digest()));
            }
        }
        later.forEach((at, again) -> repositories.queue().manifests(h, again, at));
        for (Map.Entry<Long, List<Digest>> inRepo : dead.entrySet()) {
            Repository repo = Repositories.byId(h, inRepo.getKey()).orElseThrow();
            Repositories.Deleted deleted = repositories.deleteManifests(h, repo, inRepo.getValue(), Actor.COLLECTOR,
                    startedAt);
            manifestsDeleted += deleted.manifests().size();
            for (Digest d : deleted.manifests()) {
                pendingItems.add(new CollectionRun.Item("manifest", repo.name().value(), d.toString(), null));
            }
        }
    }

    private record BlobRow(String digest, long size, OffsetDateTime linkedAt) {
    }

    /**
     * Deletes the blobs no manifest of any repository names (as config, layer or its own bytes) that were last linked
     * before the protection window: their links and rows go, a tombstone stays until the file is gone.
     */
    private void reviewBlobs(Handle h, List<String> digests, OffsetDateTime now) {
        if (digests.isEmpty()) {
            return;
        }
        List<String> locked = lock(h, "UPDATE blobs SET size = size WHERE digest = :v", digests);
        if (locked.isEmpty()) {
            return;
        }
        List<BlobRow> rows = h.createQuery("SELECT digest, size, linked_at FROM blobs WHERE digest IN (<d>)"
                        + " ORDER BY digest")
                .bindList("d", locked)
                .map((rs, ctx) -> new BlobRow(rs.getString(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class)))
                .list();
        if (rows.isEmpty()) {
            return;
        }
        List<String> found = rows.stream().map(BlobRow::digest).toList();
        Set<String> named = new HashSet<>(h.createQuery("SELECT digest FROM manifest_references WHERE digest IN (<d>)"
                        + " UNION SELECT digest FROM manifests WHERE digest IN (<d>)")
                .bindList("d", found).mapTo(String.class).list());
        List<BlobRow> dead = new ArrayList<>();
        Map<OffsetDateTime, List<String>> later = new HashMap<>();
        for (BlobRow row : rows) {
            if (named.contains(row.digest())) {
                continue;
            }
            OffsetDateTime safeUntil = row.linkedAt().plus(window);
            if (safeUntil.isAfter(now)) {
                later.computeIfAbsent(safeUntil, t -> new ArrayList<>()).add(row.digest());
            } else {
                dead.add(row);
            }
        }
        later.forEach((at, again) -> repositories.queue().blobs(h, again, at));
        if (dead.isEmpty()) {
            return;
        }
        List<String> gone = dead.stream().map(BlobRow::digest).toList();
        h.createUpdate("DELETE FROM repository_blobs WHERE digest IN (<d>)").bindList("d", gone).execute();
        h.createUpdate("DELETE FROM blobs WHERE digest IN (<d>)").bindList("d", gone).execute();
        if (!dryRun) {
            OffsetDateTime at = Timestamps.now(clock);
            var tombstones = h.prepareBatch("INSERT INTO gc_tombstones (digest, created_at) VALUES (:d, :at)");
            for (String digest : gone) {
                tombstones.bind("d", digest).bind("at", at).add();
            }
            tombstones.execute();
            filesToRemove.addAll(gone);
        }
        for (BlobRow row : dead) {
            blobsDeleted++;
            bytesFreed += row.size();
            pendingItems.add(new CollectionRun.Item("blob", null, row.digest(), row.size()));
        }
    }

    // ---------------------------------------------------------------------------------------------- plumbing

    /**
     * Locks the rows a real run decides about by writing them unchanged, as a push locks what it names (see
     * {@code Repositories.lockReferences}), and returns the values whose row it locked: only those are decided. A row
     * the write did not find may be one a link is inserting right now, visible to the next read of this transaction
     * but not locked by it, so that a concurrent link would not wait for this decision. A dry run decides without
     * locks, about every value.
     */
    private <T extends Comparable<? super T>> List<T> lock(Handle h, String update, List<T> values) {
        if (dryRun) {
            return values;
        }
        Set<T> missing = new HashSet<>(Repositories.lockRows(h, update, values, Map.of()));
        return values.stream().filter(v -> !missing.contains(v)).toList();
    }

    private static List<Long> ids(Handle h, String sql, List<Long> ids) {
        return h.createQuery(sql).bindList("ids", ids).mapTo(Long.class).list();
    }

    /**
     * Runs {@code work} in a transaction of its own (again, with a fresh state, when the database picks it as a
     * deadlock's loser), or in a dry run's one transaction.
     */
    private <T> T inTransaction(HandleCallback<T, RuntimeException> work) {
        if (dryRun) {
            return work.withHandle(dry);
        }
        Snapshot before = snapshot();
        for (int attempt = 1; ; attempt++) {
            try {
                return repositories.fence().collecting(() -> jdbi.inTransaction(work));
            } catch (RuntimeException e) {
                if (!Repositories.isLockConflict(e) || attempt == RETRIES) {
                    throw e;
                }
                before.restore();
                Repositories.backOff(attempt);
            }
        }
    }

    /** The counters and lists a transaction adds to, to undo what a rolled-back attempt added. */
    private record Counters(long reviewed, long tags, long manifests, long blobs, long bytes, int files, int items) {
    }

    private final class Snapshot {
        private final Counters counters = new Counters(reviewed, tagsDeleted, manifestsDeleted, blobsDeleted,
                bytesFreed, filesToRemove.size(), pendingItems.size());

        void restore() {
            reviewed = counters.reviewed();
            tagsDeleted = counters.tags();
            manifestsDeleted = counters.manifests();
            blobsDeleted = counters.blobs();
            bytesFreed = counters.bytes();
            filesToRemove.subList(counters.files(), filesToRemove.size()).clear();
            pendingItems.subList(counters.items(), pendingItems.size()).clear();
        }
    }

    private Snapshot snapshot() {
        return new Snapshot();
    }

    /** After a transaction committed: removes the files it condemned, reports. */
    private void committed() {
        removeFiles();
        if (!pendingItems.isEmpty()) {
            progress.removed(List.copyOf(pendingItems));
            pendingItems.clear();
        }
        report(phase);
    }

    /**
     * Removes the condemned files, several at a time (a removal waits on the disk, not the CPU), then their
     * tombstones.
     */
    private void removeFiles() {
        if (filesToRemove.isEmpty()) {
            return;
        }
        List<Future<String>> removals = new ArrayList<>();
        for (String digest : filesToRemove) {
            removals.add(deleters.submit(() -> {
                var unused = store.delete(Digest.parse(digest));
                return digest;
            }));
        }
        filesToRemove.clear();
        List<String> removed = new ArrayList<>();
        for (Future<String> removal : removals) {
            try {
                removed.add(removal.get());
            } catch (ExecutionException e) {
                // The tombstone stays; the next run tries again.
                LOG.warn("cannot remove a blob: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }
        for (int from = 0; from < removed.size(); from += BATCH) {
            List<String> chunk = removed.subList(from, Math.min(removed.size(), from + BATCH));
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM gc_tombstones WHERE digest IN (<d>)")
                    .bindList("d", chunk).execute());
        }
    }

    private void report(String now) {
        phase = now;
        progress.update(phase, totals());
    }

    private void checkStopping() {
        if (stopping.getAsBoolean()) {
            throw new Stopped();
        }
    }
}
