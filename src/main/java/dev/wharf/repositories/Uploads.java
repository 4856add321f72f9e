package dev.wharf.repositories;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.core.Timestamps;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob upload sessions. The state machine, per session:
 * <pre>
 *   start ──► open ──append*──► commit(digest) ──► blob linked in the repository, session gone
 *                 └──cancel / idle longer than the maximum age──► session and bytes gone
 * </pre>
 * A session is a database row (so every node and every restart knows it) plus an upload in the {@link BlobStore}
 * (whose size is the session's offset). A row without bytes or bytes without a row, left by a crash between the two
 * writes, is treated as unknown and removed by {@link #removeAbandoned}.
 */
public final class Uploads {
    private static final Logger LOG = LoggerFactory.getLogger(Uploads.class);

    private final Jdbi jdbi;
    private final BlobStore store;
    private final Repositories repositories;
    private final Clock clock;

    public Uploads(Jdbi jdbi, BlobStore store, Repositories repositories, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.repositories = repositories;
        this.clock = clock;
    }

    /** An open upload session of a repository. */
    public record Upload(UUID id, Repository repository, OffsetDateTime startedAt) {
    }

    public Upload start(Repository repo) {
        UUID id = UUID.randomUUID();
        OffsetDateTime now = Timestamps.now(clock);
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO uploads (uuid, repository_id, started_at, updated_at)"
                        + " VALUES (:u, :r, :at, :at)")
                .bind("u", id).bind("r", repo.id()).bind("at", now).execute());
        store.createUpload(id.toString());
        return new Upload(id, repo, now);
    }

    /** The open session with this id in this repository, or not found with {@link Reason#UPLOAD_UNKNOWN}. */
    public Upload require(Repository repo, String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw unknown();
        }
        OffsetDateTime started = jdbi.withHandle(h -> h.createQuery(
                        "SELECT started_at FROM uploads WHERE uuid = :u AND repository_id = :r")
                .bind("u", uuid).bind("r", repo.id()).mapTo(OffsetDateTime.class).findOne())
                .orElseThrow(Uploads::unknown);
        if (store.uploadSize(uuid.toString()).isEmpty()) {
            throw unknown();
        }
        return new Upload(uuid, repo, started);
    }

    /** Bytes received so far. */
    public long size(Upload upload) {
        OptionalLong size = store.uploadSize(upload.id().toString());
        return size.orElseThrow(Uploads::unknown);
    }

    /**
     * Appends a chunk. {@code offset} is where the client says it starts (-1 when it did not say); a chunk for any
     * other offset is refused (conflict, {@link Reason#UPLOAD_OFFSET}) and nothing is written.
     */
    public long append(Upload upload, long offset, InputStream data) throws IOException {
        long size = store.append(upload.id().toString(), offset, data);
        touch(upload);
        return size;
    }

    /** Verifies the digest, stores the blob, links it into the repository and ends the session. */
    public long complete(Upload upload, Digest digest) throws IOException {
        long size;
        try {
            size = store.commit(upload.id().toString(), digest);
        } catch (DomainException.Invalid e) {
            end(upload.id());
            throw e;
        }
        repositories.linkBlob(upload.repository(), digest, size);
        end(upload.id());
        return size;
    }

    /** Stores a whole blob sent in one request (no session is kept for it). */
    public long putMonolithic(Repository repo, Digest digest, InputStream data) throws IOException {
        String id = "m-" + UUID.randomUUID();
        store.createUpload(id);
        long size;
        try {
            store.append(id, 0, data);
            size = store.commit(id, digest);
        } finally {
            store.cancelUpload(id);
        }
        repositories.linkBlob(repo, digest, size);
        return size;
    }

    public void cancel(Upload upload) {
        store.cancelUpload(upload.id().toString());
        end(upload.id());
    }

    /**
     * Removes sessions and upload bytes idle for longer than {@code maxAge}. Returns how many uploads it removed.
     * Safe to run on every node: each step tolerates another node having done it first.
     */
    public int removeAbandoned(Duration maxAge) {
        Instant cutoff = clock.instant().minus(maxAge);
        int removed = 0;
        List<UUID> stale = jdbi.withHandle(h -> h.createQuery("SELECT uuid FROM uploads WHERE updated_at < :c")
                .bind("c", Timestamps.at(cutoff)).mapTo(UUID.class).list());
        for (UUID id : stale) {
            store.cancelUpload(id.toString());
            end(id);
            removed++;
        }
        try {
            for (String id : store.uploadsIdleSince(cutoff)) {
                store.cancelUpload(id);
                removed++;
            }
        } catch (IOException e) {
            LOG.warn("cannot list uploads for cleanup: {}", e.toString());
        }
        return removed;
    }

    private void touch(Upload upload) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE uploads SET updated_at = :now WHERE uuid = :u")
                .bind("now", Timestamps.now(clock)).bind("u", upload.id()).execute());
    }

    private void end(UUID id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM uploads WHERE uuid = :u").bind("u", id).execute());
    }

    private static DomainException unknown() {
        return new DomainException.NotFound(Reason.UPLOAD_UNKNOWN, "upload unknown to the registry");
    }
}
