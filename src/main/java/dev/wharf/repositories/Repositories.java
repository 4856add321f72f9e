package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.audit.LogOwner;
import dev.wharf.core.DomainException;
import dev.wharf.core.Nulls;
import dev.wharf.core.Reason;
import dev.wharf.core.ShortCache;
import dev.wharf.core.Timestamps;
import dev.wharf.db.Invalidations;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Repositories and what they hold: blob links, manifests (with what they refer to, their platform and size) and
 * tags, with tag history, push and pull times. Every change is audited in its own transaction. Knows nothing of
 * HTTP; the dialects translate.
 *
 * <p>Objects reach the metadata only after their bytes are in the blob store, and in the transaction that links
 * them: the global {@code blobs} row and the repository's link, or the manifest, its references and its tag, commit
 * together. No row ever names an object the store does not hold.
 *
 * <p>Reads on the pull path (repository by name, manifest by reference) go through one-second caches that every node
 * forgets as soon as a change commits (see {@link Invalidations}), so a HEAD costs no database round trip when it
 * repeats, and a change made through any node is seen by all at once.
 *
 * <p>A manifest's bytes are kept in its row as well as in the blob store, and every read of them (a manifest GET, the
 * referrers list) is served from the row, so that pulling a manifest never waits for object storage. The copy in the
 * store stays so that everything that treats a manifest as a stored object (its blob GET, storage totals, the
 * collector's accounting and sweep) keeps working unchanged; it costs one small write per new manifest.
 */
public final class Repositories {
    public static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    /** Image configs larger than this are not read for their platform (real ones are a few kilobytes). */
    static final long CONFIG_READ_LIMIT = 4L * 1024 * 1024;
    static final String REPO_COLUMNS = "id, name, namespace_id, is_private, created_at, pushed_at, pulled_at,"
            + " pull_count";
    private static final String MANIFEST_COLUMNS = "m.id, m.digest, m.media_type, m.size, m.artifact_type";
    /**
     * Only a manifest stored before its bytes were kept in the database, whose bytes were already lost from the
     * store then, has none (see {@link ManifestContentMigration}); it cannot be served, so it is not found.
     */
    private static final String HAS_CONTENT = "m.content IS NOT NULL";
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final Duration CONTENT_CACHE_TTL = Duration.ofMinutes(1);
    private static final long CACHE_BYTES = 8L * 1024 * 1024;
    private static final int RETRIES = 6;
    /** Digests per statement of a bulk deletion: well inside every driver's limit on bound parameters. */
    private static final int DELETE_BATCH = 500;
    /** The invalidation topic of a repository, keyed by its name, then its id when it has one. */
    private static final String TOPIC = "repository";

    private final Jdbi jdbi;
    private final ReferenceFence fence;
    private final AuditLog audit;
    private final BlobStore store;
    private final Clock clock;
    private final boolean defaultPrivate;
    private final long manifestMaxBytes;
    private final ShortCache<String, Optional<Repository>> byName;
    private final ShortCache<ReferenceKey, Optional<StoredManifest>> byReference;
    /** Manifest bytes by digest: a digest's bytes never change, so an entry needs no invalidation. */
    private final ShortCache<Digest, byte[]> contentByDigest;
    private final CollectionQueue queue;
    private final Invalidations invalidations;

    private record ReferenceKey(long repositoryId, String reference) {
    }

    public Repositories(Jdbi jdbi, boolean postgres, Invalidations invalidations, AuditLog audit, BlobStore store,
                        Clock clock, boolean defaultPrivate, long manifestMaxBytes, Duration protectionWindow) {
        this.jdbi = jdbi;
        this.fence = ReferenceFence.forDatabase(postgres);
        this.invalidations = invalidations;
        this.audit = audit;
        this.store = store;
        this.clock = clock;
        this.defaultPrivate = defaultPrivate;
        this.manifestMaxBytes = manifestMaxBytes;
        this.queue = new CollectionQueue(clock, protectionWindow);
        this.byName = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 300 + 2 * ShortCache.bytes(k), clock);
        this.byReference = new ShortCache<>(CACHE_TTL, CACHE_BYTES,
                (k, v) -> 400 + ShortCache.bytes(k.reference()), clock);
        this.contentByDigest = new ShortCache<>(CONTENT_CACHE_TTL, CACHE_BYTES, (k, v) -> 200 + v.length, clock);
        invalidations.subscribe(TOPIC, this::forget, () -> {
            byName.invalidateAll();
            byReference.invalidateAll();
        });
    }

    /** Forgets a repository, keyed {@code <name>} or {@code <name> <id>}. */
    private void forget(String key) {
        int space = key.indexOf(' ');
        byName.invalidate(space < 0 ? key : key.substring(0, space));
        if (space > 0) {
            long id = Long.parseLong(key.substring(space + 1));
            byReference.invalidateIf(k -> k.repositoryId() == id);
        }
    }

    public long manifestMaxBytes() {
        return manifestMaxBytes;
    }

    /** How long an object stays safe from collection after it was pushed, linked or mounted. */
    public Duration protectionWindow() {
        return queue.protectionWindow();
    }

    BlobStore store() {
        return store;
    }

    ReferenceFence fence() {
        return fence;
    }

    CollectionQueue queue() {
        return queue;
    }

    // ---------------------------------------------------------------------------------------------- repositories

    /** The repository with this name, if it exists. */
    public Optional<Repository> find(RepositoryName name) {
        return byName.get(name.value(), n -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + REPO_COLUMNS + " FROM repositories WHERE name = :n")
                .bind("n", n).map(Repositories::mapRepository).findOne()));
    }

    /**
     * The repository, or not found with {@link Reason#REPOSITORY_UNKNOWN}. A cached absence is read again before it
     * is believed: another node may have just created the repository (a push whose upload starts on one node and
     * continues on the other), and its creation must not look undone for the cache's lifetime.
     */
    public Repository require(RepositoryName name) {
        Optional<Repository> found = find(name);
        if (found.isEmpty()) {
            byName.invalidate(name.value());
            found = find(name);
        }
        return found.orElseThrow(() -> new DomainException.NotFound(Reason.REPOSITORY_UNKNOWN,
                "repository " + name + " is not known to the registry"));
    }

    /**
     * The repository, created on first push in the namespace of {@code owner}: private unless the server's default
     * visibility is public. Creation is audited as {@code repo.create}.
     */
    public Repository findOrCreate(RepositoryName name, LogOwner owner, Actor actor) {
        Optional<Repository> existing = find(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        OffsetDateTime now = Timestamps.now(clock);
        try {
            jdbi.useTransaction(h -> {
                h.createUpdate("INSERT INTO repositories (namespace_id, name, is_private, created_at, pull_count)"
                                + " VALUES (:ns, :n, :p, :at, 0)")
                        .bind("ns", owner.id()).bind("n", name.value()).bind("p", defaultPrivate).bind("at", now)
                        .execute();
                audit.record(h, owner, AuditAction.REPO_CREATE, name.value(), actor,
                        Map.of("visibility", defaultPrivate ? "private" : "public"));
                created(h, name);
            });
        } catch (UnableToExecuteStatementException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // Another request created it first; use theirs.
            byName.invalidate(name.value());
        }
        return require(name);
    }

    /** Makes a repository public or private. */
    public void setPrivate(Repository repo, boolean isPrivate) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE repositories SET is_private = :p WHERE id = :id")
                    .bind("p", isPrivate).bind("id", repo.id()).execute();
            changed(h, repo);
        });
    }

    /** Deletes a repository with its tags, manifests and links, audited as {@code repo.delete}. */
    public void delete(Repository repo, Actor actor) {
        jdbi.useTransaction(h -> {
            queue.repository(h, repo.id(), queue.afterWindow());
            int n = h.createUpdate("DELETE FROM repositories WHERE id = :id").bind("id", repo.id()).execute();
            if (n == 0) {
                throw new DomainException.NotFound(Reason.REPOSITORY_UNKNOWN,
                        "repository " + repo.name() + " is not known");
            }
            audit.record(h, owner(repo), AuditAction.REPO_DELETE, repo.name().value(), actor, Map.of());
            changed(h, repo);
        });
    }

    /**
     * Queues for collection everything the repositories of a namespace hold, in the transaction that deletes the
     * namespace (its rows go with the account's, by the database's cascade).
     */
    public void namespaceDeleting(Handle h, long namespaceId) {
        queue.namespace(h, namespaceId, queue.afterWindow());
        // The namespace may hold any number of repositories: rather than one notification each, forget them all.
        invalidations.publish(h, TOPIC, Invalidations.ALL);
    }

    /** The repository with this id, read in the caller's transaction. */
    static Optional<Repository> byId(Handle h, long id) {
        return h.createQuery("SELECT " + REPO_COLUMNS + " FROM repositories WHERE id = :id").bind("id", id)
                .map(Repositories::mapRepository).findOne();
    }

    /**
     * Names of repositories after {@code last} in order, at most {@code n}: every public one and, when
     * {@code viewerId} is given, the private ones in that account's namespace and in the orgs it belongs to.
     */
    public List<String> catalog(Long viewerId, String last, int n) {
        String readable = viewerId == null ? "" : " OR namespace_id = :v"
                + " OR namespace_id IN (SELECT org_id FROM org_members WHERE user_id = :v)";
        return jdbi.withHandle(h -> {
            var q = h.createQuery("SELECT name FROM repositories WHERE name > :last AND (is_private = FALSE"
                            + readable + ") ORDER BY name LIMIT :n")
                    .bind("last", last == null ? "" : last).bind("n", n);
            if (viewerId != null) {
                q.bind("v", viewerId);
            }
            return q.mapTo(String.class).list();
        });
    }

    // ---------------------------------------------------------------------------------------------- blobs

    /**
     * The bytes the repositories of a namespace hold: every stored object they link (layers, configs) or hold as a
     * manifest, each counted once however many of them share it.
     */
    public long storageBytes(long namespaceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(b.size), 0) FROM blobs b WHERE b.digest IN ("
                        + "SELECT rb.digest FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id"
                        + " WHERE r.namespace_id = :ns UNION"
                        + " SELECT m.digest FROM manifests m JOIN repositories r ON r.id = m.repository_id"
                        + " WHERE r.namespace_id = :ns)")
                .bind("ns", namespaceId).mapTo(Long.class).one());
    }

    /** The size of a blob this repository links to, or empty. */
    public OptionalLong blobSize(Repository repo, Digest digest) {
        Optional<Long> size = jdbi.withHandle(h -> h.createQuery(
                        "SELECT size FROM repository_blobs WHERE repository_id = :r AND digest = :d")
                .bind("r", repo.id()).bind("d", digest.toString()).mapTo(Long.class).findOne());
        return size.map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /** Writes part of a blob the repository links to. */
    public void sendBlob(Digest digest, long offset, long length, WritableByteChannel target) throws IOException {
        store.send(digest, offset, length, target);
    }

    /** A short-lived URL the client may fetch a blob the repository links to from, when the store offers one. */
    public Optional<java.net.URI> blobRedirect(Digest digest) {
        return store.redirect(digest);
    }

    /**
     * Makes a blob that is in the store visible in the repository, recording it in the global blob table in the same
     * transaction; linking twice is harmless.
     */
    public void linkBlob(Repository repo, Digest digest, long size) {
        retryOnConflict(() -> fence.adding(() -> jdbi.useTransaction(h -> {
            recordBlob(h, digest, size, null, null);
            boolean linked = h.createQuery(
                            "SELECT COUNT(*) FROM repository_blobs WHERE repository_id = :r AND digest = :d")
                    .bind("r", repo.id()).bind("d", digest.toString()).mapTo(Long.class).one() > 0;
            if (!linked) {
                h.createUpdate("INSERT INTO repository_blobs (repository_id, digest, size, linked_at)"
                                + " VALUES (:r, :d, :s, :at)")
                        .bind("r", repo.id()).bind("d", digest.toString()).bind("s", size)
                        .bind("at", Timestamps.now(clock)).execute();
            }
            // A blob no manifest names yet is looked at once the window has passed, so that uploads a client never
            // finished with a manifest do not stay forever.
            queue.blob(h, digest, queue.afterWindow());
        })));
    }

    /**
     * The global record of a stored object, locked for the rest of the transaction and marked as linked now (the
     * protection window counts from here); the first record wins, a media type fills in once known. Refuses an object
     * the collector is removing: a link and a collection of the same digest never both win, because the collector
     * removes the row under the same lock and leaves a tombstone until the file is gone.
     *
     * @param bytes the object's bytes when the caller has them (a manifest), to store them again if the file went
     */
    private void recordBlob(Handle h, Digest digest, long size, String mediaType, byte[] bytes) {
        OffsetDateTime now = Timestamps.now(clock);
        int known = h.createUpdate("UPDATE blobs SET linked_at = :at, media_type = COALESCE(media_type, :mt)"
                        + " WHERE digest = :d")
                .bind("d", digest.toString()).bind("mt", Nulls.text(mediaType)).bind("at", now).execute();
        if (known == 0) {
            h.createUpdate("INSERT INTO blobs (digest, size, media_type, created_at, linked_at)"
                            + " VALUES (:d, :s, :mt, :at, :at)")
                    .bind("d", digest.toString()).bind("s", size).bind("mt", Nulls.text(mediaType))
                    .bind("at", now).execute();
        }
        boolean collecting = h.createQuery("SELECT COUNT(*) FROM gc_tombstones WHERE digest = :d")
                .bind("d", digest.toString()).mapTo(Long.class).one() > 0;
        boolean stored = store.size(digest).isPresent();
        if (!collecting && !stored && bytes != null) {
            storeBytes(digest, bytes);
            stored = true;
        }
        if (collecting || !stored) {
            throw new DomainException.NotFound(Reason.BLOB_UNKNOWN,
                    "blob " + digest + " is being removed by garbage collection; upload it again");
        }
    }

    /**
     * Locks the rows of the blobs and child manifests a manifest push names, by writing them (a blob's link time is
     * renewed; a manifest row is written unchanged): a write waits for, or fails against, a collector's uncommitted
     * deletion of the same row on every database, where a {@code SELECT ... FOR UPDATE} on H2 may not. The collector
     * locks its rows the same way, so that neither removes what the other is about to rely on.
     *
     * <p>A row that the write does not find is refused here, not left to the reference check that follows: H2 lets
     * the write pass over a row another transaction has deleted but not yet committed, while a plain read in this
     * transaction still sees that row as committed, so only the write's count tells that the row is going.
     */
    private void lockReferences(Handle h, Repository repo, ManifestDocument doc, OffsetDateTime now) {
        List<String> goneBlobs = lockRows(h, "UPDATE blobs SET linked_at = :now WHERE digest = :v",
                distinct(doc.blobs()), Map.of("now", now));
        if (!goneBlobs.isEmpty()) {
            throw new DomainException.NotFound(Reason.MANIFEST_BLOB_UNKNOWN,
                    "blob " + goneBlobs.get(0) + " is not in " + repo.name());
        }
        List<String> goneChildren = lockRows(h, "UPDATE manifests SET pushed_at = pushed_at WHERE repository_id = :r"
                + " AND digest = :v", distinct(doc.manifests()), Map.of("r", repo.id()));
        if (!goneChildren.isEmpty()) {
            throw new DomainException.NotFound(Reason.MANIFEST_UNKNOWN,
                    "manifest " + goneChildren.get(0) + " is not in " + repo.name());
        }
    }

    /**
     * Runs {@code update} once per value, in ascending order, so that every writer takes the row locks of one table
     * in the same order: two that lock overlapping sets (pushes sharing layers, or a push and the collector) then
     * wait for each other instead of deadlocking, as a multi-row {@code IN (...)} update in scan order can. Returns
     * the values whose update found no row.
     */
    static <T extends Comparable<? super T>> List<T> lockRows(Handle h, String update, java.util.Collection<T> values,
            Map<String, Object> bindings) {
        if (values.isEmpty()) {
            return List.of();
        }
        List<T> sorted = List.copyOf(new java.util.TreeSet<>(values));
        var batch = h.prepareBatch(update);
        for (T value : sorted) {
            batch.bindMap(bindings).bind("v", value).add();
        }
        int[] counts = batch.execute();
        List<T> missing = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (counts[i] == 0) {
                missing.add(sorted.get(i));
            }
        }
        return missing;
    }

    /** Removes a blob from the repository. The bytes stay in the store for other repositories. */
    public void unlinkBlob(Repository repo, Digest digest) {
        int n = jdbi.inTransaction(h -> {
            int removed = h.createUpdate("DELETE FROM repository_blobs WHERE repository_id = :r AND digest = :d")
                    .bind("r", repo.id()).bind("d", digest.toString()).execute();
            queue.blob(h, digest, queue.afterWindow());
            return removed;
        });
        if (n == 0) {
            throw new DomainException.NotFound(Reason.BLOB_UNKNOWN, "blob " + digest + " is not in " + repo.name());
        }
    }

    /**
     * Links a blob that {@code from} holds into {@code target} without moving bytes. Returns its size, or empty when
     * {@code from} does not hold it (the caller then falls back to an upload).
     */
    public OptionalLong mount(Repository target, Repository from, Digest digest) {
        OptionalLong size = blobSize(from, digest);
        if (size.isEmpty() || store.size(digest).isEmpty()) {
            return OptionalLong.empty();
        }
        linkBlob(target, digest, size.getAsLong());
        return size;
    }

    // ---------------------------------------------------------------------------------------------- manifests

    /** The manifest a tag or digest names in this repository, if any. */
    public Optional<StoredManifest> manifest(Repository repo, String reference) {
        return byReference.get(new ReferenceKey(repo.id(), reference),
                k -> jdbi.withHandle(h -> manifest(h, repo, reference)));
    }

    /**
     * The manifest's row with its bytes, which go to the content cache: the GET that usually follows a HEAD, or that
     * the reference cache answers while the database is unreachable, then finds them in memory.
     */
    private Optional<StoredManifest> manifest(Handle h, Repository repo, String reference) {
        String select = "SELECT " + MANIFEST_COLUMNS + ", m.content FROM ";
        var query = Digest.looksLikeDigest(reference)
                ? h.createQuery(select + "manifests m WHERE m.repository_id = :r AND m.digest = :ref AND "
                        + HAS_CONTENT)
                : h.createQuery(select + "tags t JOIN manifests m ON m.id = t.manifest_id"
                        + " WHERE t.repository_id = :r AND t.name = :ref AND " + HAS_CONTENT);
        return query.bind("r", repo.id()).bind("ref", reference).map((rs, ctx) -> {
            StoredManifest m = mapManifest(rs, ctx);
            contentByDigest.put(m.digest(), rs.getBytes(6));
            return m;
        }).findOne();
    }

    /** The outcome of a manifest push. */
    public record Pushed(Digest digest, Digest subject) {
    }

    /**
     * Stores a manifest and, when {@code tag} is given, points the tag at it. Every blob it names must be linked in
     * the repository and every child manifest of an index must be in it. An immutable tag may not move to another
     * manifest (see {@link ImmutableTags}). A tag push is audited as
     * {@code repo.tag.push} with the tag and digest, and recorded in the tag history.
     *
     * @param tag      the tag to move, or null for a push by digest
     * @param expected the digest the client named, or null for a push by tag
     */
    public Pushed putManifest(Repository repo, String tag, Digest expected, String contentType, byte[] body,
                              Actor actor) {
        if (body.length > manifestMaxBytes) {
            throw new DomainException.TooLarge(Reason.MANIFEST_INVALID,
                    "manifest is " + body.length + " bytes; the limit is " + manifestMaxBytes, manifestMaxBytes);
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new DomainException.Invalid(Reason.TAG_INVALID, "invalid tag");
        }
        ManifestDocument doc = ManifestDocument.parse(contentType, body);
        Digest digest = Digest.of(sha256(body));
        if (expected != null && !expected.equals(digest)) {
            throw new DomainException.Invalid(Reason.DIGEST_INVALID,
                    "manifest has digest " + digest + ", not " + expected);
        }
        // Refuse dangling references before writing anything, so a refused manifest leaves no bytes behind; the
        // check runs again inside the transaction, where it decides.
        jdbi.useHandle(h -> requireReferences(h, repo, doc));
        ManifestDocument.Platform platform = doc.isIndex() ? null : platformOf(store, doc.config());
        storeBytes(digest, body);
        retryOnConflict(() -> fence.adding(() -> jdbi.useTransaction(h -> {
            OffsetDateTime now = Timestamps.now(clock);
            lockReferences(h, repo, doc, now);
            requireReferences(h, repo, doc);
            recordBlob(h, digest, body.length, doc.mediaType(), body);
            long manifestId = storeManifest(h, repo, digest, body, doc, platform, now);
            h.createUpdate("UPDATE repositories SET pushed_at = :now WHERE id = :r")
                    .bind("now", now).bind("r", repo.id()).execute();
            if (tag != null) {
                Optional<Long> current = h.createQuery(
                                "SELECT manifest_id FROM tags WHERE repository_id = :r AND name = :t")
                        .bind("r", repo.id()).bind("t", tag).mapTo(Long.class).findOne();
                if (current.isPresent() && current.get() != manifestId) {
                    ImmutableTags.refuseChanges(h, repo, List.of(tag));
                    queue.manifests(h, List.of(current.get()), queue.afterWindow());
                }
                int moved = h.createUpdate("UPDATE tags SET manifest_id = :m, pushed_at = :now, updater_id = :a,"
                                + " updater_name = :an WHERE repository_id = :r AND name = :t")
                        .bind("m", manifestId).bind("now", now).bind("r", repo.id()).bind("t", tag)
                        .bind("a", Nulls.bigint(actor.accountId())).bind("an", actor.name()).execute();
                if (moved == 0) {
                    h.createUpdate("INSERT INTO tags (repository_id, name, manifest_id, pushed_at, pull_count,"
                                    + " creator_id, updater_id, updater_name) VALUES (:r, :t, :m, :now, 0, :a, :a, :an)")
                            .bind("m", manifestId).bind("now", now).bind("r", repo.id()).bind("t", tag)
                            .bind("a", Nulls.bigint(actor.accountId())).bind("an", actor.name()).execute();
                }
                history(h, repo, tag, digest, actor, now);
                audit.record(h, owner(repo), AuditAction.REPO_TAG_PUSH, repo.name().value(), actor,
                        Map.of("tag", tag, "digest", digest.toString()));
            } else {
                // Pushed by digest: untagged unless a tag or an index names it by the time it is looked at.
                queue.manifests(h, List.of(manifestId), queue.afterWindow());
            }
            changed(h, repo);
        })));
        return new Pushed(digest, doc.subject());
    }

    /**
     * The manifest's row: a push of a manifest the repository already holds only moves its push time; a new one is
     * inserted with its platform, total size and references.
     */
    private long storeManifest(Handle h, Repository repo, Digest digest, byte[] body, ManifestDocument doc,
                               ManifestDocument.Platform platform, OffsetDateTime now) {
        long size = body.length;
        Optional<Long> existing = h.createQuery("SELECT id FROM manifests WHERE repository_id = :r AND digest = :d"
                        + " FOR UPDATE")
                .bind("r", repo.id()).bind("d", digest.toString()).mapTo(Long.class).findOne();
        // No row to move when the collector deleted it meanwhile (see lockReferences): a new one is inserted, which
        // waits for or collides with that deletion and is retried. A manifest that lost its bytes before they were
        // kept here gets them back from this push.
        if (existing.isPresent() && h.createUpdate("UPDATE manifests SET pushed_at = :now, last_activity_at = :now,"
                        + " content = COALESCE(content, :c) WHERE id = :m")
                .bind("now", now).bind("c", body).bind("m", existing.get()).execute() == 1) {
            return existing.get();
        }
        long id = h.createUpdate("INSERT INTO manifests (repository_id, digest, media_type, size, artifact_type,"
                        + " subject_digest, created_at, pushed_at, last_activity_at, platform_os, platform_architecture,"
                        + " platform_variant, total_size, content)"
                        + " VALUES (:r, :d, :mt, :s, :at, :sub, :now, :now, :now, :os, :arch, :variant, :total, :c)")
                .bind("r", repo.id()).bind("d", digest.toString()).bind("mt", doc.mediaType()).bind("s", size)
                .bind("c", body)
                .bind("at", Nulls.text(doc.artifactType()))
                .bind("sub", Nulls.text(doc.subject() == null ? null : doc.subject().toString()))
                .bind("now", now)
                .bind("os", Nulls.text(platform == null ? null : platform.os()))
                .bind("arch", Nulls.text(platform == null ? null : platform.architecture()))
                .bind("variant", Nulls.text(platform == null ? null : platform.variant()))
                .bind("total", size + referencedSize(h, repo.id(), doc))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        insertReferences(h, id, doc);
        return id;
    }

    /** An image's config and layers; an index's children, each with its own total. */
    static long referencedSize(Handle h, long repositoryId, ManifestDocument doc) {
        long total = 0;
        for (ManifestDocument.Reference r : doc.blobs()) {
            total += r.size();
        }
        List<String> children = distinct(doc.manifests());
        if (!children.isEmpty()) {
            total += h.createQuery("SELECT COALESCE(SUM(COALESCE(total_size, size)), 0) FROM manifests"
                            + " WHERE repository_id = :r AND digest IN (<d>)")
                    .bind("r", repositoryId).bindList("d", children).mapTo(Long.class).one();
        }
        return total;
    }

    /** Records what a manifest refers to, and the media types the manifest gives its blobs. */
    static void insertReferences(Handle h, long manifestId, ManifestDocument doc) {
        int position = 0;
        for (ManifestDocument.Reference r : doc.references()) {
            ManifestDocument.Platform p = r.platform();
            h.createUpdate("INSERT INTO manifest_references (manifest_id, position, kind, digest, size, media_type,"
                            + " platform_os, platform_architecture, platform_variant)"
                            + " VALUES (:m, :p, :k, :d, :s, :mt, :os, :arch, :variant)")
                    .bind("m", manifestId).bind("p", position++).bind("k", r.kind().name().toLowerCase(java.util.Locale.ROOT))
                    .bind("d", r.digest().toString()).bind("s", r.size()).bind("mt", r.mediaType())
                    .bind("os", Nulls.text(p == null ? null : p.os()))
                    .bind("arch", Nulls.text(p == null ? null : p.architecture()))
                    .bind("variant", Nulls.text(p == null ? null : p.variant()))
                    .execute();
            if (r.kind() != ManifestDocument.Kind.MANIFEST) {
                h.createUpdate("UPDATE blobs SET media_type = :mt WHERE digest = :d AND media_type IS NULL")
                        .bind("d", r.digest().toString()).bind("mt", r.mediaType()).execute();
            }
        }
    }

    /** The platform an image's config names, read from the store; null when there is no readable one. */
    static ManifestDocument.Platform platformOf(BlobStore store, ManifestDocument.Reference config) {
        if (config == null || config.size() > CONFIG_READ_LIMIT || store.size(config.digest()).isEmpty()) {
            return null;
        }
        try {
            return ManifestDocument.platformOf(store.readSmall(config.digest(), config.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireReferences(Handle h, Repository repo, ManifestDocument doc) {
        requireAll(h, repo, "SELECT digest FROM repository_blobs", doc.blobs(), Reason.MANIFEST_BLOB_UNKNOWN,
                "blob");
        requireAll(h, repo, "SELECT digest FROM manifests", doc.manifests(), Reason.MANIFEST_UNKNOWN, "manifest");
    }

    /** Fails with {@code reason} naming the first of {@code wanted} that {@code select} does not find in the repo. */
    private static void requireAll(Handle h, Repository repo, String select, List<ManifestDocument.Reference> refs,
                                   Reason reason, String what) {
        if (refs.isEmpty()) {
            return;
        }
        List<String> wanted = distinct(refs);
        List<String> have = h.createQuery(select + " WHERE repository_id = :r AND digest IN (<d>)")
                .bind("r", repo.id()).bindList("d", wanted).mapTo(String.class).list();
        for (String d : wanted) {
            if (!have.contains(d)) {
                throw new DomainException.NotFound(reason, what + " " + d + " is not in " + repo.name());
            }
        }
    }

    /**
     * Deletes a manifest by digest with every tag that points to it, unless one of them is immutable (see
     * {@link ImmutableTags}); each removed tag is audited as
     * {@code repo.tag.delete}, the manifest as {@code repo.manifest.delete}.
     */
    public void deleteManifest(Repository repo, Digest digest, Actor actor) {
        if (deleteManifests(repo, List.of(digest), actor).manifests().isEmpty()) {
            throw new DomainException.NotFound(Reason.MANIFEST_UNKNOWN,
                    "manifest " + digest + " is not in " + repo.name());
        }
    }

    /** What {@link #deleteManifests} removed: the manifests, and the tags that pointed to them. */
    public record Deleted(List<Digest> manifests, List<String> tags) {
    }

    /**
     * Deletes manifests by digest, each with every tag that points to it, in one transaction and a fixed number of
     * statements per {@link #DELETE_BATCH} manifests; digests the repository does not hold are skipped. Each removed
     * tag is recorded in the tag history and audited as {@code repo.tag.delete}, each manifest as
     * {@code repo.manifest.delete}. The one code path for every manifest deletion.
     */
    public Deleted deleteManifests(Repository repo, List<Digest> digests, Actor actor) {
        return jdbi.inTransaction(h -> deleteManifests(h, repo, digests, actor, queue.afterWindow()));
    }

    /**
     * {@link #deleteManifests} in the caller's transaction, queueing what the manifests referred to for review after
     * {@code reviewAfter}. Every node forgets its cached view of the repository once the transaction commits.
     */
    Deleted deleteManifests(Handle h, Repository repo, List<Digest> digests, Actor actor,
                            OffsetDateTime reviewAfter) {
        List<Digest> deletedManifests = new ArrayList<>();
        List<String> deletedTags = new ArrayList<>();
        OffsetDateTime now = Timestamps.now(clock);
        List<String> wanted = digests.stream().map(Digest::toString).distinct().toList();
        for (int from = 0; from < wanted.size(); from += DELETE_BATCH) {
            List<String> chunk = wanted.subList(from, Math.min(wanted.size(), from + DELETE_BATCH));
            Map<Long, String> ids = new LinkedHashMap<>();
            h.createQuery("SELECT id, digest FROM manifests WHERE repository_id = :r AND digest IN (<d>)"
                            + " ORDER BY digest FOR UPDATE")
                    .bind("r", repo.id()).bindList("d", chunk)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                    .forEach(e -> ids.put(e.getKey(), e.getValue()));
            if (ids.isEmpty()) {
                continue;
            }
            List<Map.Entry<String, String>> tags = h.createQuery("SELECT t.name, m.digest FROM tags t"
                            + " JOIN manifests m ON m.id = t.manifest_id WHERE t.manifest_id IN (<m>)"
                            + " ORDER BY t.name")
                    .bindList("m", List.copyOf(ids.keySet()))
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).list();
            ImmutableTags.refuseChanges(h, repo, tags.stream().map(Map.Entry::getKey).toList());
            h.createUpdate("DELETE FROM tags WHERE manifest_id IN (<m>)")
                    .bindList("m", List.copyOf(ids.keySet())).execute();
            var history = h.prepareBatch("INSERT INTO tag_history (repository_id, tag, digest, actor, changed_at)"
                    + " VALUES (:r, :t, NULL, :a, :at)");
            List<AuditLog.Entry> events = new ArrayList<>();
            for (Map.Entry<String, String> tag : tags) {
                history.bind("r", repo.id()).bind("t", tag.getKey()).bind("a", actor.name()).bind("at", now)
                        .add();
                events.add(new AuditLog.Entry(AuditAction.REPO_TAG_DELETE, repo.name().value(),
                        Map.of("tag", tag.getKey(), "digest", tag.getValue())));
                deletedTags.add(tag.getKey());
            }
            if (!tags.isEmpty()) {
                history.execute();
            }
            queue.whatManifestsReferTo(h, repo.id(), ids.keySet(), reviewAfter);
            h.createUpdate("DELETE FROM manifests WHERE id IN (<m>)")
                    .bindList("m", List.copyOf(ids.keySet())).execute();
            for (String digest : ids.values()) {
                events.add(new AuditLog.Entry(AuditAction.REPO_MANIFEST_DELETE, repo.name().value(),
                        Map.of("digest", digest)));
                deletedManifests.add(Digest.parse(digest));
            }
            audit.recordAll(h, owner(repo), actor, events);
        }
        if (!deletedManifests.isEmpty()) {
            changed(h, repo);
        }
        return new Deleted(List.copyOf(deletedManifests), List.copyOf(deletedTags));
    }

    /** Deletes a tag (the manifest stays) unless it is immutable, audited as {@code repo.tag.delete}. */
    public void deleteTag(Repository repo, String tag, Actor actor) {
        jdbi.useTransaction(h -> {
            if (deleteTags(h, repo, List.of(tag), actor).isEmpty()) {
                throw new DomainException.NotFound(Reason.MANIFEST_UNKNOWN, "tag " + tag + " is not in " + repo.name());
            }
        });
    }

    /** A tag that was removed, and the manifest it pointed to. */
    public record RemovedTag(String tag, Digest digest) {
    }

    /**
     * Deletes tags in the caller's transaction, unless one of them is immutable (then nothing is deleted); tags the
     * repository does not have are skipped. Each removed tag is recorded in the tag history and audited as
     * {@code repo.tag.delete}; the manifests they pointed to are queued for collection. Every node forgets its
     * cached view of the repository once the transaction commits.
     */
    public List<RemovedTag> deleteTags(Handle h, Repository repo, List<String> tags, Actor actor) {
        return deleteTags(h, repo, tags, actor, queue.afterWindow());
    }

    /** {@link #deleteTags}, queueing the manifests they leave untagged for review after {@code reviewAfter}. */
    List<RemovedTag> deleteTags(Handle h, Repository repo, List<String> tags, Actor actor,
                                OffsetDateTime reviewAfter) {
        if (tags.isEmpty()) {
            return List.of();
        }
        List<RemovedTag> removed = new ArrayList<>();
        Map<Long, Boolean> manifests = new LinkedHashMap<>();
        List<String> wanted = List.copyOf(new LinkedHashSet<>(tags));
        for (int from = 0; from < wanted.size(); from += DELETE_BATCH) {
            List<String> chunk = wanted.subList(from, Math.min(wanted.size(), from + DELETE_BATCH));
            List<Map.Entry<String, Long>> found = h.createQuery("SELECT t.name, t.manifest_id FROM tags t"
                            + " WHERE t.repository_id = :r AND t.name IN (<t>) ORDER BY t.name FOR UPDATE")
                    .bind("r", repo.id()).bindList("t", chunk)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list();
            if (found.isEmpty()) {
                continue;
            }
            List<String> names = found.stream().map(Map.Entry::getKey).toList();
            ImmutableTags.refuseChanges(h, repo, names);
            Map<Long, String> digests = new LinkedHashMap<>();
            h.createQuery("SELECT id, digest FROM manifests WHERE id IN (<m>)")
                    .bindList("m", found.stream().map(Map.Entry::getValue).distinct().toList())
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                    .forEach(e -> digests.put(e.getKey(), e.getValue()));
            h.createUpdate("DELETE FROM tags WHERE repository_id = :r AND name IN (<t>)")
                    .bind("r", repo.id()).bindList("t", names).execute();
            OffsetDateTime now = Timestamps.now(clock);
            var history = h.prepareBatch("INSERT INTO tag_history (repository_id, tag, digest, actor, changed_at)"
                    + " VALUES (:r, :t, NULL, :a, :at)");
            List<AuditLog.Entry> events = new ArrayList<>();
            for (Map.Entry<String, Long> tag : found) {
                String digest = digests.get(tag.getValue());
                history.bind("r", repo.id()).bind("t", tag.getKey()).bind("a", actor.name()).bind("at", now).add();
                events.add(new AuditLog.Entry(AuditAction.REPO_TAG_DELETE, repo.name().value(),
                        Map.of("tag", tag.getKey(), "digest", digest)));
                removed.add(new RemovedTag(tag.getKey(), Digest.parse(digest)));
                manifests.put(tag.getValue(), Boolean.TRUE);
            }
            history.execute();
            audit.recordAll(h, owner(repo), actor, events);
        }
        queue.manifests(h, manifests.keySet(), reviewAfter);
        if (!removed.isEmpty()) {
            changed(h, repo);
        }
        return List.copyOf(removed);
    }

    /** Tags after {@code last} in order, at most {@code n}. */
    public List<String> tags(Repository repo, String last, int n) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name FROM tags WHERE repository_id = :r AND name > :last"
                        + " ORDER BY name LIMIT :n")
                .bind("r", repo.id()).bind("last", last == null ? "" : last).bind("n", n)
                .mapTo(String.class).list());
    }

    /** One entry of a tag's history: the digest it pointed to (null: deleted), since when, set by whom. */
    public record TagChange(String tag, String digest, String actor, OffsetDateTime at) {
    }

    /** A tag's history, newest first. */
    public List<TagChange> tagHistory(Repository repo, String tag) {
        return jdbi.withHandle(h -> h.createQuery("SELECT tag, digest, actor, changed_at FROM tag_history"
                        + " WHERE repository_id = :r AND tag = :t ORDER BY changed_at DESC, id DESC")
                .bind("r", repo.id()).bind("t", tag)
                .map((rs, ctx) -> new TagChange(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class)))
                .list());
    }

    /** The manifests whose subject is {@code subject}, optionally only those of one artifact type. */
    public List<StoredManifest> referrers(Repository repo, Digest subject, String artifactType) {
        return jdbi.withHandle(h -> {
            var q = h.createQuery("SELECT " + MANIFEST_COLUMNS + " FROM manifests m WHERE m.repository_id = :r"
                            + " AND m.subject_digest = :s AND " + HAS_CONTENT + (artifactType == null ? "" : " AND m.artifact_type = :t")
                            + " ORDER BY m.created_at, m.id")
                    .bind("r", repo.id()).bind("s", subject.toString());
            if (artifactType != null) {
                q.bind("t", artifactType);
            }
            return q.map(Repositories::mapManifest).list();
        });
    }

    /**
     * A stored manifest's bytes, from the database (manifests are small: bounded by the size limit), never from the
     * blob store.
     */
    public byte[] manifestBytes(StoredManifest manifest) {
        return contentByDigest.get(manifest.digest(), d -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT content FROM manifests WHERE id = :m AND content IS NOT NULL")
                .bind("m", manifest.id()).mapTo(byte[].class).findOne()).orElseThrow(() ->
                new DomainException.NotFound(Reason.MANIFEST_UNKNOWN, "manifest " + manifest.digest()
                        + " is no longer stored")));
    }

    /** What is recorded about a manifest beyond what a HEAD needs. */
    public record ManifestFacts(ManifestDocument.Platform platform, Long totalSize, OffsetDateTime pushedAt,
                                OffsetDateTime pulledAt, List<ManifestDocument.Reference> references) {
    }

    /** The platform, total size, push and pull times and references of a stored manifest. */
    public ManifestFacts facts(StoredManifest manifest) {
        return jdbi.withHandle(h -> {
            List<ManifestDocument.Reference> refs = h.createQuery("SELECT kind, digest, size, media_type, platform_os,"
                            + " platform_architecture, platform_variant FROM manifest_references"
                            + " WHERE manifest_id = :m ORDER BY position")
                    .bind("m", manifest.id())
                    .map((rs, ctx) -> new ManifestDocument.Reference(
                            ManifestDocument.Kind.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT)),
                            Digest.parse(rs.getString(2)), rs.getLong(3), rs.getString(4),
                            platform(rs.getString(5), rs.getString(6), rs.getString(7))))
                    .list();
            return h.createQuery("SELECT platform_os, platform_architecture, platform_variant, total_size, pushed_at,"
                            + " pulled_at FROM manifests WHERE id = :m")
                    .bind("m", manifest.id())
                    .map((rs, ctx) -> new ManifestFacts(platform(rs.getString(1), rs.getString(2), rs.getString(3)),
                            rs.getObject(4, Long.class), rs.getObject(5, OffsetDateTime.class),
                            rs.getObject(6, OffsetDateTime.class), refs))
                    .one();
        });
    }

    static ManifestDocument.Platform platform(String os, String architecture, String variant) {
        return os == null && architecture == null && variant == null ? null
                : new ManifestDocument.Platform(os, architecture, variant);
    }

    // ---------------------------------------------------------------------------------------------- internals

    private void storeBytes(Digest digest, byte[] body) {
        if (store.size(digest).isPresent()) {
            return;
        }
        String id = "m-" + UUID.randomUUID();
        store.createUpload(id);
        try {
            store.append(id, 0, new ByteArrayInputStream(body));
            store.commit(id, digest);
        } catch (IOException e) {
            store.cancelUpload(id);
            throw new UncheckedIOException(e);
        }
    }

    private void history(Handle h, Repository repo, String tag, Digest digest, Actor actor, OffsetDateTime at) {
        h.createUpdate("INSERT INTO tag_history (repository_id, tag, digest, actor, changed_at)"
                        + " VALUES (:r, :t, :d, :a, :at)")
                .bind("r", repo.id()).bind("t", tag).bind("d", Nulls.text(digest == null ? null : digest.toString()))
                .bind("a", actor.name()).bind("at", at).execute();
    }

    /** The audit log of the namespace a repository is in. */
    private static LogOwner owner(Repository repo) {
        return new LogOwner(repo.namespaceId(), repo.name().namespace());
    }

    /** Makes every node forget that no repository was named {@code name}, once {@code h}'s transaction commits. */
    void created(Handle h, RepositoryName name) {
        invalidations.publish(h, TOPIC, name.value());
    }

    /** Makes every node forget its cached view of a repository once {@code h}'s transaction commits. */
    void changed(Handle h, Repository repo) {
        invalidations.publish(h, TOPIC, repo.name().value() + " " + repo.id());
    }

    /**
     * Runs a write again when a concurrent writer inserted the same row first (a unique violation), or when the
     * database chose it as the loser of a deadlock or a concurrent update with the collector.
     */
    private static void retryOnConflict(Runnable write) {
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (UnableToExecuteStatementException e) {
                if (!(isUniqueViolation(e) || isLockConflict(e)) || attempt == RETRIES) {
                    throw e;
                }
                backOff(attempt);
            }
        }
    }

    /**
     * Waits a random while before attempt {@code attempt + 1}, up to 10 ms doubled per attempt, so that writers
     * that collided do not collide again in lockstep.
     */
    static void backOff(int attempt) {
        try {
            Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(10L << Math.min(attempt, 6)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry a write", e);
        }
    }

    /** A deadlock or serialization failure (PostgreSQL and H2), or H2's concurrent update of a locked row. */
    static boolean isLockConflict(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("40001".equals(sql.getSQLState())
                    || "40P01".equals(sql.getSQLState()) || "90131".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    static boolean isUniqueViolation(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static List<String> distinct(List<ManifestDocument.Reference> refs) {
        List<String> out = new ArrayList<>();
        for (ManifestDocument.Reference r : refs) {
            out.add(r.digest().toString());
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Repository mapRepository(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Repository(rs.getLong("id"), new RepositoryName(rs.getString("name")), rs.getLong("namespace_id"),
                rs.getBoolean("is_private"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("pushed_at", OffsetDateTime.class), rs.getObject("pulled_at", OffsetDateTime.class),
                rs.getLong("pull_count"));
    }

    private static StoredManifest mapManifest(ResultSet rs, StatementContext ctx) throws SQLException {
        return new StoredManifest(rs.getLong(1), Digest.parse(rs.getString(2)), rs.getString(3), rs.getLong(4),
                rs.getString(5));
    }
}
