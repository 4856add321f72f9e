package dev.wharf.repositories;

import dev.wharf.core.DomainException;
import dev.wharf.core.Nulls;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema version 4: fills what version 3 added for the manifests stored before it (their references, platforms and
 * total sizes), by reading each manifest, and each image's config, from the blob store. Manifests are visited in the
 * order they were stored, so an index's children have their totals before the index. A manifest whose bytes are
 * missing or unreadable is left without references and logged; it does not stop the upgrade.
 */
public final class ManifestReferencesMigration extends StoreMigration {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestReferencesMigration.class);

    public ManifestReferencesMigration(BlobStore store) {
        super(4, "manifest references platforms sizes", store);
    }

    private record Row(long id, long repositoryId, Digest digest, long size, String mediaType) {
    }

    @Override
    protected void migrate(Handle h) {
        List<Row> rows = h.createQuery("SELECT id, repository_id, digest, size, media_type FROM manifests"
                        + " ORDER BY id")
                .map((rs, ctx) -> new Row(rs.getLong(1), rs.getLong(2), Digest.parse(rs.getString(3)),
                        rs.getLong(4), rs.getString(5)))
                .list();
        int filled = 0;
        for (Row row : rows) {
            if (fill(h, row)) {
                filled++;
            }
        }
        if (!rows.isEmpty()) {
            LOG.info("recorded the references of {} of {} stored manifests", filled, rows.size());
        }
    }

    private boolean fill(Handle h, Row row) {
        ManifestDocument doc;
        try {
            doc = ManifestDocument.parse(row.mediaType(), store.readSmall(row.digest(), row.size()));
        } catch (IOException | DomainException e) {
            LOG.warn("manifest {} (id {}) is unreadable and keeps no references: {}", row.digest(), row.id(),
                    e.getMessage());
            return false;
        }
        Repositories.insertReferences(h, row.id(), doc);
        ManifestDocument.Platform platform = null;
        try {
            platform = Repositories.platformOf(store, doc.config());
        } catch (UncheckedIOException | DomainException e) {
            LOG.warn("the config of manifest {} is unreadable: {}", row.digest(), e.getMessage());
        }
        h.createUpdate("UPDATE manifests SET platform_os = :os, platform_architecture = :arch,"
                        + " platform_variant = :variant, total_size = :total WHERE id = :m")
                .bind("os", Nulls.text(platform == null ? null : platform.os()))
                .bind("arch", Nulls.text(platform == null ? null : platform.architecture()))
                .bind("variant", Nulls.text(platform == null ? null : platform.variant()))
                .bind("total", row.size() + Repositories.referencedSize(h, row.repositoryId(), doc))
                .bind("m", row.id()).execute();
        return true;
    }
}
