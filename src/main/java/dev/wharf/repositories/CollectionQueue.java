package dev.wharf.repositories;

import dev.wharf.core.Timestamps;
import dev.wharf.storage.Digest;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The garbage collector's queue: writers append the objects whose references they removed, in their own transaction,
 * so that a collection looks only at what changed. Rows are appended, never updated, so a digest many pushes share is
 * never a hot row; duplicates cost one more look.
 */
final class CollectionQueue {
    private final Clock clock;
    private final Duration protectionWindow;

    CollectionQueue(Clock clock, Duration protectionWindow) {
        this.clock = clock;
        this.protectionWindow = protectionWindow;
    }

    Duration protectionWindow() {
        return protectionWindow;
    }

    /** When an object a client stopped referring to now may be looked at: after the protection window. */
    OffsetDateTime afterWindow() {
        return Timestamps.now(clock).plus(protectionWindow);
    }

    void manifests(Handle h, Collection<Long> manifestIds, OffsetDateTime reviewAfter) {
        if (manifestIds.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("INSERT INTO gc_queue (manifest_id, review_after) VALUES (:m, :at)");
        for (long id : manifestIds) {
            batch.bind("m", id).bind("at", reviewAfter).add();
        }
        batch.execute();
    }

    void blobs(Handle h, Collection<String> digests, OffsetDateTime reviewAfter) {
        if (digests.isEmpty()) {
            return;
        }
        var batch = h.prepareBatch("INSERT INTO gc_queue (digest, review_after) VALUES (:d, :at)");
        for (String digest : digests) {
            batch.bind("d", digest).bind("at", reviewAfter).add();
        }
        batch.execute();
    }

    void blob(Handle h, Digest digest, OffsetDateTime reviewAfter) {
        h.createUpdate("INSERT INTO gc_queue (digest, review_after) VALUES (:d, :at)")
                .bind("d", digest.toString()).bind("at", reviewAfter).execute();
    }

    /**
     * Queues what a manifest deletion leaves without a referrer: the blobs the manifests name (their own bytes, config
     * and layers), the child manifests of indexes, and the manifests whose subject they were. Runs before the
     * manifests' rows go, while their references are still there to read.
     */
    void whatManifestsReferTo(Handle h, long repositoryId, Collection<Long> manifestIds, OffsetDateTime reviewAfter) {
        if (manifestIds.isEmpty()) {
            return;
        }
        h.createUpdate("INSERT INTO gc_queue (digest, review_after) SELECT DISTINCT r.digest, :at"
                        + " FROM manifest_references r WHERE r.manifest_id IN (<m>) AND r.kind <> 'manifest'")
                .bindList("m", List.copyOf(manifestIds)).bind("at", reviewAfter).execute();
        h.createUpdate("INSERT INTO gc_queue (digest, review_after) SELECT m.digest, :at FROM manifests m"
                        + " WHERE m.id IN (<m>)")
                .bindList("m", List.copyOf(manifestIds)).bind("at", reviewAfter).execute();
        h.createUpdate("INSERT INTO gc_queue (manifest_id, review_after) SELECT DISTINCT c.id, :at"
                        + " FROM manifest_references r JOIN manifests c ON c.repository_id = :repo AND c.digest = r.digest"
                        + " WHERE r.manifest_id IN (<m>) AND r.kind = 'manifest'")
                .bindList("m", List.copyOf(manifestIds)).bind("repo", repositoryId)
                .bind("at", reviewAfter).execute();
        h.createUpdate("INSERT INTO gc_queue (manifest_id, review_after) SELECT c.id, :at FROM manifests c"
                        + " JOIN manifests s ON s.repository_id = c.repository_id AND s.digest = c.subject_digest"
                        + " WHERE s.id IN (<m>) AND c.repository_id = :repo")
                .bindList("m", List.copyOf(manifestIds)).bind("repo", repositoryId)
                .bind("at", reviewAfter).execute();
    }

    /** Queues every object a repository held, before its rows go with it. */
    void repository(Handle h, long repositoryId, OffsetDateTime reviewAfter) {
        everything(h, "r.id = :v", repositoryId, reviewAfter);
    }

    /** Queues every object the repositories of a namespace held, before the namespace's rows go. */
    void namespace(Handle h, long namespaceId, OffsetDateTime reviewAfter) {
        everything(h, "r.namespace_id = :v", namespaceId, reviewAfter);
    }

    private static void everything(Handle h, String repositoryFilter, long filterValue, OffsetDateTime reviewAfter) {
        h.createUpdate("INSERT INTO gc_queue (digest, review_after) SELECT DISTINCT rb.digest, :at"
                        + " FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id WHERE "
                        + repositoryFilter)
                .bind("v", filterValue).bind("at", reviewAfter).execute();
        h.createUpdate("INSERT INTO gc_queue (digest, review_after) SELECT DISTINCT m.digest, :at"
                        + " FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE " + repositoryFilter)
                .bind("v", filterValue).bind("at", reviewAfter).execute();
    }
}
