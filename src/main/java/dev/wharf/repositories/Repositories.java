package dev.wharf.repositories;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.Clock;

import dev.wharf.repositories.RepositoryException.Kind;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
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
 * Repositories and what they hold: blob links, manifests and tags, with tag history, push and pull times. Every
 * change is audited in its own transaction. Knows nothing of HTTP; the registry dialect translates.
 *
 * <p>Reads on the pull path (repository by name, manifest by reference) go through one-second caches that this node
 * invalidates at once on every change, so a HEAD costs no database round trip when it repeats, and another node's
 * change is visible within a second.
 */
public final class Repositories {
    public static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    private static final String REPO_COLUMNS = "id, name, namespace_id, is_private, created_at, pushed_at, pulled_at,"
            + " pull_count";
    private static final String MANIFEST_COLUMNS = "m.id, m.digest, m.media_type, m.size, m.artifact_type";
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final int RETRIES = 3;

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final BlobStore store;
    private final boolean defaultPrivate;
    private final long manifestMaxBytes;
    private final Cache<String, Optional<Repository>> byName = Caffeine.newBuilder()
            .expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();
    private final Cache<String, Optional<StoredManifest>> byReference = Caffeine.newBuilder()
            .expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();

    public Repositories(Jdbi jdbi, AuditLog audit, BlobStore store, boolean defaultPrivate, long manifestMaxBytes) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.store = store;
        this.defaultPrivate = defaultPrivate;
        this.manifestMaxBytes = manifestMaxBytes;
    }

    public long manifestMaxBytes() {
        return manifestMaxBytes;
    }

    // ---------------------------------------------------------------------------------------------- repositories

    /** The repository with this name, if it exists. */
    public Optional<Repository> find(RepositoryName name) {
        return byName.get(name.value(), n -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + REPO_COLUMNS + " FROM repositories WHERE name = :n")
                .bind("n", n).map(Repositories::mapRepository).findOne()));
    }

    /** The repository, or NAME_UNKNOWN. */
    public Repository require(RepositoryName name) {
        return find(name).orElseThrow(() -> new RepositoryException(Kind.NAME_UNKNOWN,
                "repository " + name + " is not known to the registry"));
    }

    /**
     * The repository, created on first push in namespace {@code namespaceId}: private unless the server's default
     * visibility is public. Creation is audited as {@code repo.create}.
     */
    public Repository findOrCreate(RepositoryName name, long namespaceId, Actor actor) {
        Optional<Repository> existing = find(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        OffsetDateTime now = Clock.now();
        try {
            jdbi.useTransaction(h -> {
                h.createUpdate("INSERT INTO repositories (namespace_id, name, is_private, created_at, pull_count)"
                                + " VALUES (:ns, :n, :p, :at, 0)")
                        .bind("ns", namespaceId).bind("n", name.value()).bind("p", defaultPrivate).bind("at", now)
                        .execute();
                audit.record(h, name.namespace(), AuditAction.REPO_CREATE, name.value(), actor.name(),
                        actor.credential(), Map.of("visibility", defaultPrivate ? "private" : "public"));
            });
        } catch (UnableToExecuteStatementException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // Another request created it first; use theirs.
        }
        byName.invalidate(name.value());
        return require(name);
    }

    /** Makes a repository public or private. */
    public void setPrivate(Repository repo, boolean isPrivate) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE repositories SET is_private = :p WHERE id = :id")
                .bind("p", isPrivate).bind("id", repo.id()).execute());
        byName.invalidate(repo.name().value());
    }

    /** Deletes a repository with its tags, manifests and links, audited as {@code repo.delete}. */
    public void delete(Repository repo, Actor actor) {
        jdbi.useTransaction(h -> {
            int n = h.createUpdate("DELETE FROM repositories WHERE id = :id").bind("id", repo.id()).execute();
            if (n == 0) {
                throw new RepositoryException(Kind.NAME_UNKNOWN, "repository " + repo.name() + " is not known");
            }
            audit.record(h, repo.name().namespace(), AuditAction.REPO_DELETE, repo.name().value(), actor.name(),
                    actor.credential(), Map.of());
        });
        changed(repo);
    }

    /**
     * Names of repositories after {@code last} in order, at most {@code n}: every public one and, when
     * {@code viewerId} is given, the private ones in that user's namespace and in the orgs they belong to.
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

    /** Makes a stored blob visible in the repository; linking twice is harmless. */
    public void linkBlob(Repository repo, Digest digest, long size) {
        jdbi.useHandle(h -> linkBlob(h, repo, digest, size));
    }

    private static void linkBlob(Handle h, Repository repo, Digest digest, long size) {
        boolean linked = h.createQuery("SELECT COUNT(*) FROM repository_blobs WHERE repository_id = :r AND digest = :d")
                .bind("r", repo.id()).bind("d", digest.toString()).mapTo(Long.class).one() > 0;
        if (linked) {
            return;
        }
        try {
            h.createUpdate("INSERT INTO repository_blobs (repository_id, digest, size, linked_at)"
                            + " VALUES (:r, :d, :s, :at)")
                    .bind("r", repo.id()).bind("d", digest.toString()).bind("s", size).bind("at", Clock.now())
                    .execute();
        } catch (UnableToExecuteStatementException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /** Removes a blob from the repository. The bytes stay in the store for other repositories. */
    public void unlinkBlob(Repository repo, Digest digest) {
        int n = jdbi.withHandle(h -> h.createUpdate(
                        "DELETE FROM repository_blobs WHERE repository_id = :r AND digest = :d")
                .bind("r", repo.id()).bind("d", digest.toString()).execute());
        if (n == 0) {
            throw new RepositoryException(Kind.BLOB_UNKNOWN, "blob " + digest + " is not in " + repo.name());
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
        return byReference.get(repo.id() + "\u0000" + reference,
                k -> jdbi.withHandle(h -> manifest(h, repo, reference)));
    }

    private static Optional<StoredManifest> manifest(Handle h, Repository repo, String reference) {
        if (Digest.looksLikeDigest(reference)) {
            return h.createQuery("SELECT " + MANIFEST_COLUMNS + " FROM manifests m"
                            + " WHERE m.repository_id = :r AND m.digest = :d")
                    .bind("r", repo.id()).bind("d", reference).map(Repositories::mapManifest).findOne();
        }
        return h.createQuery("SELECT " + MANIFEST_COLUMNS + " FROM tags t JOIN manifests m ON m.id = t.manifest_id"
                        + " WHERE t.repository_id = :r AND t.name = :t")
                .bind("r", repo.id()).bind("t", reference).map(Repositories::mapManifest).findOne();
    }

    /** The outcome of a manifest push. */
    public record Pushed(Digest digest, Digest subject) {
    }

    /**
     * Stores a manifest and, when {@code tag} is given, points the tag at it. Every blob it names must be linked in
     * the repository and every child manifest of an index must be in it. A tag push is audited as
     * {@code repo.tag.push} with the tag and digest, and recorded in the tag history.
     *
     * @param tag      the tag to move, or null for a push by digest
     * @param expected the digest the client named, or null for a push by tag
     */
    public Pushed putManifest(Repository repo, String tag, Digest expected, String contentType, byte[] body,
                              Actor actor) {
        if (body.length > manifestMaxBytes) {
            throw new RepositoryException(Kind.MANIFEST_TOO_LARGE,
                    "manifest is " + body.length + " bytes; the limit is " + manifestMaxBytes);
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new RepositoryException(Kind.TAG_INVALID, "invalid tag");
        }
        ManifestDocument doc = ManifestDocument.parse(contentType, body);
        Digest digest = Digest.of(sha256(body));
        if (expected != null && !expected.equals(digest)) {
            throw new RepositoryException(Kind.DIGEST_INVALID,
                    "manifest has digest " + digest + ", not " + expected);
        }
        // Refuse dangling references before writing anything, so a refused manifest leaves no bytes behind; the
        // check runs again inside the transaction, where it decides.
        jdbi.useHandle(h -> requireReferences(h, repo, doc));
        storeBytes(digest, body);
        OffsetDateTime now = Clock.now();
        retryOnConflict(() -> jdbi.useTransaction(h -> {
            requireReferences(h, repo, doc);
            Long manifestId = h.createQuery("SELECT id FROM manifests WHERE repository_id = :r AND digest = :d")
                    .bind("r", repo.id()).bind("d", digest.toString()).mapTo(Long.class).findOne()
                    .orElseGet(() -> h.createUpdate("INSERT INTO manifests (repository_id, digest, media_type, size,"
                                    + " artifact_type, subject_digest, created_at)"
                                    + " VALUES (:r, :d, :mt, :s, :at, :sub, :now)")
                            .bind("r", repo.id()).bind("d", digest.toString()).bind("mt", doc.mediaType())
                            .bind("s", (long) body.length).bind("at", doc.artifactType())
                            .bind("sub", doc.subject() == null ? null : doc.subject().toString()).bind("now", now)
                            .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
            h.createUpdate("UPDATE repositories SET pushed_at = :now WHERE id = :r")
                    .bind("now", now).bind("r", repo.id()).execute();
            if (tag != null) {
                int moved = h.createUpdate("UPDATE tags SET manifest_id = :m, pushed_at = :now"
                                + " WHERE repository_id = :r AND name = :t")
                        .bind("m", manifestId).bind("now", now).bind("r", repo.id()).bind("t", tag).execute();
                if (moved == 0) {
                    h.createUpdate("INSERT INTO tags (repository_id, name, manifest_id, pushed_at, pull_count)"
                                    + " VALUES (:r, :t, :m, :now, 0)")
                            .bind("m", manifestId).bind("now", now).bind("r", repo.id()).bind("t", tag).execute();
                }
                history(h, repo, tag, digest, actor, now);
                audit.record(h, repo.name().namespace(), AuditAction.REPO_TAG_PUSH, repo.name().value(), actor.name(),
                        actor.credential(), Map.of("tag", tag, "digest", digest.toString()));
            }
        }));
        changed(repo);
        return new Pushed(digest, doc.subject());
    }

    private static void requireReferences(Handle h, Repository repo, ManifestDocument doc) {
        requireAll(h, repo, "SELECT digest FROM repository_blobs", doc.blobs(), Kind.MANIFEST_BLOB_UNKNOWN, "blob");
        requireAll(h, repo, "SELECT digest FROM manifests", doc.manifests(), Kind.MANIFEST_UNKNOWN, "manifest");
    }

    /** Fails with {@code kind} naming the first of {@code digests} that {@code select} does not find in the repo. */
    private static void requireAll(Handle h, Repository repo, String select, List<Digest> digests, Kind kind,
                                   String what) {
        if (digests.isEmpty()) {
            return;
        }
        List<String> wanted = distinct(digests);
        List<String> have = h.createQuery(select + " WHERE repository_id = :r AND digest IN (<d>)")
                .bind("r", repo.id()).bindList("d", wanted).mapTo(String.class).list();
        for (String d : wanted) {
            if (!have.contains(d)) {
                throw new RepositoryException(kind, what + " " + d + " is not in " + repo.name());
            }
        }
    }

    /**
     * Deletes a manifest by digest with every tag that points to it; each removed tag is audited as
     * {@code repo.tag.delete}, the manifest as {@code repo.manifest.delete}.
     */
    public void deleteManifest(Repository repo, Digest digest, Actor actor) {
        jdbi.useTransaction(h -> {
            Long id = h.createQuery("SELECT id FROM manifests WHERE repository_id = :r AND digest = :d")
                    .bind("r", repo.id()).bind("d", digest.toString()).mapTo(Long.class).findOne()
                    .orElseThrow(() -> new RepositoryException(Kind.MANIFEST_UNKNOWN,
                            "manifest " + digest + " is not in " + repo.name()));
            List<String> tags = h.createQuery("SELECT name FROM tags WHERE manifest_id = :m ORDER BY name")
                    .bind("m", id).mapTo(String.class).list();
            OffsetDateTime now = Clock.now();
            for (String tag : tags) {
                h.createUpdate("DELETE FROM tags WHERE repository_id = :r AND name = :t")
                        .bind("r", repo.id()).bind("t", tag).execute();
                history(h, repo, tag, null, actor, now);
                audit.record(h, repo.name().namespace(), AuditAction.REPO_TAG_DELETE, repo.name().value(),
                        actor.name(), actor.credential(), Map.of("tag", tag, "digest", digest.toString()));
            }
            h.createUpdate("DELETE FROM manifests WHERE id = :m").bind("m", id).execute();
            audit.record(h, repo.name().namespace(), AuditAction.REPO_MANIFEST_DELETE, repo.name().value(),
                    actor.name(), actor.credential(), Map.of("digest", digest.toString()));
        });
        changed(repo);
    }

    /** Deletes a tag (the manifest stays), audited as {@code repo.tag.delete}. */
    public void deleteTag(Repository repo, String tag, Actor actor) {
        jdbi.useTransaction(h -> {
            Optional<StoredManifest> current = manifest(h, repo, tag);
            if (current.isEmpty()) {
                throw new RepositoryException(Kind.MANIFEST_UNKNOWN, "tag " + tag + " is not in " + repo.name());
            }
            h.createUpdate("DELETE FROM tags WHERE repository_id = :r AND name = :t")
                    .bind("r", repo.id()).bind("t", tag).execute();
            history(h, repo, tag, null, actor, Clock.now());
            audit.record(h, repo.name().namespace(), AuditAction.REPO_TAG_DELETE, repo.name().value(), actor.name(),
                    actor.credential(), Map.of("tag", tag, "digest", current.get().digest().toString()));
        });
        changed(repo);
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
                            + " AND m.subject_digest = :s" + (artifactType == null ? "" : " AND m.artifact_type = :t")
                            + " ORDER BY m.created_at, m.id")
                    .bind("r", repo.id()).bind("s", subject.toString());
            if (artifactType != null) {
                q.bind("t", artifactType);
            }
            return q.map(Repositories::mapManifest).list();
        });
    }

    /** A stored manifest's bytes; manifests are small (bounded by the size limit). */
    public byte[] manifestBytes(StoredManifest manifest) {
        var out = new java.io.ByteArrayOutputStream((int) manifest.size());
        try {
            store.send(manifest.digest(), 0, manifest.size(), java.nio.channels.Channels.newChannel(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
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

    private static void history(Handle h, Repository repo, String tag, Digest digest, Actor actor,
                                OffsetDateTime at) {
        h.createUpdate("INSERT INTO tag_history (repository_id, tag, digest, actor, changed_at)"
                        + " VALUES (:r, :t, :d, :a, :at)")
                .bind("r", repo.id()).bind("t", tag).bind("d", digest == null ? null : digest.toString())
                .bind("a", actor.name()).bind("at", at).execute();
    }

    /** Forgets this node's cached view of a repository after a change. */
    private void changed(Repository repo) {
        byName.invalidate(repo.name().value());
        String prefix = repo.id() + "\u0000";
        byReference.asMap().keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** Runs a write again when a concurrent writer inserted the same row first (a unique violation). */
    private static void retryOnConflict(Runnable write) {
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (UnableToExecuteStatementException e) {
                if (!isUniqueViolation(e) || attempt == RETRIES) {
                    throw e;
                }
            }
        }
    }

    private static boolean isUniqueViolation(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static List<String> distinct(List<Digest> digests) {
        List<String> out = new ArrayList<>();
        for (Digest d : new LinkedHashSet<>(digests)) {
            out.add(d.toString());
        }
        return out;
    }

    static byte[] sha256(byte[] body) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(body);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Repository mapRepository(ResultSet rs, StatementContext ctx) throws SQLException {
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
