package dev.wharf.repositories;

import dev.wharf.core.DomainException;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema version 12: a manifest's bytes are kept in its row ({@code manifests.content}), so that a manifest GET or
 * HEAD never goes to the blob store. The bytes are copied in the row itself rather than in a table shared by digest:
 * deleting a manifest (by a client, the collector, or a repository's or namespace's cascade) then takes its bytes with
 * it, with no reference count to keep; the price is one copy per repository that holds the same manifest, a few
 * kilobytes each.
 *
 * <p>The manifests stored before this version are filled from the blob store here, once, in batches of
 * {@link #BATCH} rows and one manifest in memory at a time, so that after the upgrade there is one read path and no
 * lazy fallback to the store. Before this version every store is the data directory, so the copy reads local files. A
 * manifest whose bytes are missing, unreadable or do not match its digest is logged and keeps no content: it was
 * unservable before and stays so (answered as unknown) until a client pushes it again, which fills it in.
 */
public final class ManifestContentMigration extends StoreMigration {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestContentMigration.class);
    private static final int BATCH = 200;

    public ManifestContentMigration(BlobStore store) {
        super(12, "manifest content", store);
    }

    private record Row(long id, Digest digest, long size) {
    }

    @Override
    protected void migrate(Handle h) {
        // BYTEA is PostgreSQL's binary type and one of H2's names for BINARY VARYING.
        h.execute("ALTER TABLE manifests ADD COLUMN content BYTEA");
        long after = 0;
        int filled = 0;
        int missing = 0;
        while (true) {
            List<Row> rows = h.createQuery("SELECT id, digest, size FROM manifests WHERE id > :after"
                            + " ORDER BY id LIMIT :n")
                    .bind("after", after).bind("n", BATCH)
                    .map((rs, ctx) -> new Row(rs.getLong(1), Digest.parse(rs.getString(2)), rs.getLong(3)))
                    .list();
            if (rows.isEmpty()) {
                break;
            }
            for (Row row : rows) {
                byte[] content = read(row);
                if (content == null) {
                    missing++;
                    continue;
                }
                h.createUpdate("UPDATE manifests SET content = :c WHERE id = :id")
                        .bind("c", content).bind("id", row.id()).execute();
                filled++;
            }
            after = rows.get(rows.size() - 1).id();
        }
        if (filled + missing > 0) {
            LOG.info("copied the bytes of {} of {} stored manifests into the database", filled,
                    filled + missing);
        }
    }

    /** The manifest's bytes from the store, or null (logged) when they cannot be had intact. */
    private byte[] read(Row row) {
        try {
            byte[] content = store.readSmall(row.digest(), row.size());
            if (content.length == row.size() && Digest.of(Repositories.sha256(content)).equals(row.digest())) {
                return content;
            }
            LOG.warn("manifest {} (id {}) does not match its digest in the blob store and keeps no content",
                    row.digest(), row.id());
        } catch (IOException | DomainException e) {
            LOG.warn("manifest {} (id {}) is unreadable and keeps no content: {}", row.digest(), row.id(),
                    e.getMessage());
        }
        return null;
    }
}
