package dev.wharf.repositories;

import dev.wharf.core.Timestamps;
import dev.wharf.storage.BlobStore;
import dev.wharf.storage.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The tags of a repository as the Hub shows them: each with the platform images it stands for (an image manifest is
 * one; an index is one per child), their layers, sizes, push and pull times, read from the manifests, their references
 * and their config blobs. A page costs a fixed number of queries whatever its size (tags, then the children of its
 * indexes, then the layers and configs of every image on it), plus one small blob read per distinct config.
 */
public final class TagViews {
    private final Jdbi jdbi;
    private final BlobStore store;
    private final Clock clock;

    public TagViews(Jdbi jdbi, BlobStore store, Clock clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.clock = clock;
    }

    /** One layer of an image, with the config-history instruction that made it. */
    public record Layer(Digest digest, long size, String instruction) {
    }

    /** One platform image: an image manifest, alone or as the child of an index. */
    public record Image(Digest digest, String architecture, String os, String variant, String osVersion,
                        List<String> osFeatures, long size, List<Layer> layers, OffsetDateTime lastPushed,
                        OffsetDateTime lastPulled, boolean active) {
    }

    /**
     * A tag: its ids (the tag's, its first and last pusher's accounts), the manifest it names, and whether it was
     * pushed or pulled within the last month.
     */
    public record Tag(long id, String name, long repositoryId, Digest digest, long fullSize, Long creatorId,
                      Long updaterId, String updaterName, OffsetDateTime pushedAt, OffsetDateTime pulledAt,
                      boolean active, List<Image> images) {
    }

    /** The row of a manifest, as a tag names it or as the child of an index. */
    private record ManifestRow(long id, Digest digest, String mediaType, long size, Long totalSize,
                               ManifestDocument.Platform platform, OffsetDateTime pushedAt,
                               OffsetDateTime pulledAt) {
        boolean isIndex() {
            return mediaType.equals(ManifestDocument.OCI_INDEX) || mediaType.equals(ManifestDocument.DOCKER_LIST);
        }
    }

    private record TagRow(long id, String name, Long creatorId, Long updaterId, String updaterName,
                          OffsetDateTime pushedAt, OffsetDateTime pulledAt, ManifestRow manifest) {
    }

    private record Child(long indexId, Digest digest, ManifestDocument.Platform platform) {
    }

    private record Blob(long manifestId, ManifestDocument.Kind kind, Digest digest, long size) {
    }

    private static final String TAG_COLUMNS = "SELECT t.id, t.name, t.creator_id, t.updater_id, t.updater_name,"
            + " t.pushed_at, t.pulled_at, m.id AS m_id, m.digest, m.media_type, m.size, m.total_size, m.platform_os,"
            + " m.platform_architecture, m.platform_variant, m.pushed_at AS m_pushed_at, m.pulled_at AS m_pulled_at";

    /** How many tags the repository has. */
    public long count(Repository repo) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM tags WHERE repository_id = :r")
                .bind("r", repo.id()).mapTo(Long.class).one());
    }

    /** A page of the repository's tags, most recently pushed first. */
    public List<Tag> page(Repository repo, long offset, int limit) {
        // The offset is skipped in the index alone (it holds every column the inner query reads); only the page's
        // rows are then fetched, so a deep page of 100,000 tags costs an index walk, not 100,000 row reads.
        return jdbi.withHandle(h -> views(h, repo, h.createQuery(TAG_COLUMNS + " FROM (SELECT name, pushed_at"
                        + " FROM tags WHERE repository_id = :r ORDER BY pushed_at DESC, name LIMIT :n OFFSET :o) p"
                        + " JOIN tags t ON t.repository_id = :r AND t.name = p.name"
                        + " JOIN manifests m ON m.id = t.manifest_id ORDER BY p.pushed_at DESC, p.name")
                .bind("r", repo.id()).bind("n", limit).bind("o", offset)
                .map((rs, ctx) -> tagRow(rs)).list()));
    }

    /** One tag, if the repository has it. */
    public Optional<Tag> find(Repository repo, String name) {
        return jdbi.withHandle(h -> views(h, repo, h.createQuery(TAG_COLUMNS + " FROM tags t"
                        + " JOIN manifests m ON m.id = t.manifest_id WHERE t.repository_id = :r AND t.name = :t")
                .bind("r", repo.id()).bind("t", name).map((rs, ctx) -> tagRow(rs)).list())).stream().findFirst();
    }

    private List<Tag> views(Handle h, Repository repo, List<TagRow> tags) {
        if (tags.isEmpty()) {
            return List.of();
        }
        // The children of the indexes on the page, in index order, and their manifest rows.
        List<Long> indexIds = tags.stream().map(TagRow::manifest).filter(ManifestRow::isIndex)
                .map(ManifestRow::id).distinct().toList();
        List<Child> children = indexIds.isEmpty() ? List.of() : h.createQuery("SELECT manifest_id, digest,"
                        + " platform_os, platform_architecture, platform_variant FROM manifest_references"
                        + " WHERE manifest_id IN (<ids>) AND kind = 'manifest' ORDER BY manifest_id, position")
                .bindList("ids", indexIds)
                .map((rs, ctx) -> new Child(rs.getLong(1), Digest.parse(rs.getString(2)),
                        Repositories.platform(rs.getString(3), rs.getString(4), rs.getString(5))))
                .list();
        Map<Digest, ManifestRow> childRows = new HashMap<>();
        if (!children.isEmpty()) {
            h.createQuery("SELECT id AS m_id, digest, media_type, size, total_size, platform_os,"
                            + " platform_architecture, platform_variant, pushed_at AS m_pushed_at,"
                            + " pulled_at AS m_pulled_at FROM manifests WHERE repository_id = :r AND digest IN (<d>)")
                    .bind("r", repo.id())
                    .bindList("d", children.stream().map(c -> c.digest().toString()).distinct().toList())
                    .map((rs, ctx) -> manifestRow(rs)).forEach(m -> childRows.put(m.digest(), m));
        }
        // The config and layers of every image on the page, and what each config says.
        Set<Long> imageIds = new LinkedHashSet<>();
        tags.stream().map(TagRow::manifest).filter(m -> !m.isIndex()).forEach(m -> imageIds.add(m.id()));
        childRows.values().forEach(m -> imageIds.add(m.id()));
        Map<Long, List<Blob>> blobs = new HashMap<>();
        if (!imageIds.isEmpty()) {
            h.createQuery("SELECT manifest_id, kind, digest, size FROM manifest_references"
                            + " WHERE manifest_id IN (<ids>) AND kind IN ('config', 'layer') ORDER BY manifest_id, position")
                    .bindList("ids", List.copyOf(imageIds))
                    .map((rs, ctx) -> new Blob(rs.getLong(1), ManifestDocument.Kind.valueOf(
                            rs.getString(2).toUpperCase(java.util.Locale.ROOT)), Digest.parse(rs.getString(3)),
                            rs.getLong(4)))
                    .forEach(b -> blobs.computeIfAbsent(b.manifestId(), k -> new ArrayList<>()).add(b));
        }
        Map<Digest, ImageConfig> configs = new HashMap<>();
        OffsetDateTime activeSince = Timestamps.now(clock).minusMonths(1);
        List<Tag> out = new ArrayList<>();
        for (TagRow t : tags) {
            List<Image> images = new ArrayList<>();
            if (t.manifest().isIndex()) {
                for (Child c : children) {
                    ManifestRow child = childRows.get(c.digest());
                    if (c.indexId() == t.manifest().id() && child != null) {
                        images.add(image(child, c.platform(), blobs, configs, activeSince));
                    }
                }
            } else {
                images.add(image(t.manifest(), null, blobs, configs, activeSince));
            }
            ManifestRow m = t.manifest();
            out.add(new Tag(t.id(), t.name(), repo.id(), m.digest(), m.totalSize() == null ? m.size() : m.totalSize(),
                    t.creatorId(), t.updaterId(), t.updaterName(), t.pushedAt(), t.pulledAt(),
                    isActive(t.pushedAt(), t.pulledAt(), activeSince), List.copyOf(images)));
        }
        return out;
    }

    /**
     * One platform image. The platform is the manifest's own (from its config), else the one its index states;
     * OS version and features come from the config.
     */
    private Image image(ManifestRow m, ManifestDocument.Platform stated, Map<Long, List<Blob>> blobs,
                        Map<Digest, ImageConfig> configs, OffsetDateTime activeSince) {
        List<Blob> own = blobs.getOrDefault(m.id(), List.of());
        ImageConfig config = own.stream().filter(b -> b.kind() == ManifestDocument.Kind.CONFIG).findFirst()
                .map(b -> configs.computeIfAbsent(b.digest(), d -> readConfig(b)))
                .orElse(ImageConfig.NONE);
        List<Layer> layers = new ArrayList<>();
        for (Blob b : own) {
            if (b.kind() == ManifestDocument.Kind.LAYER) {
                layers.add(new Layer(b.digest(), b.size(), config.instruction(layers.size())));
            }
        }
        ManifestDocument.Platform p = m.platform() != null ? m.platform() : stated;
        return new Image(m.digest(), p == null ? config.architecture() : p.architecture(),
                p == null ? config.os() : p.os(), p == null ? config.variant() : p.variant(), config.osVersion(),
                config.osFeatures(), m.totalSize() == null ? m.size() : m.totalSize(), List.copyOf(layers),
                m.pushedAt(), m.pulledAt(), isActive(m.pushedAt(), m.pulledAt(), activeSince));
    }

    private ImageConfig readConfig(Blob config) {
        if (config.size() > Repositories.CONFIG_READ_LIMIT || store.size(config.digest()).isEmpty()) {
            return ImageConfig.NONE;
        }
        try {
            return ImageConfig.parse(store.readSmall(config.digest(), config.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isActive(OffsetDateTime pushed, OffsetDateTime pulled, OffsetDateTime since) {
        return (pushed != null && !pushed.isBefore(since)) || (pulled != null && !pulled.isBefore(since));
    }

    private static TagRow tagRow(ResultSet rs) throws SQLException {
        return new TagRow(rs.getLong("id"), rs.getString("name"), rs.getObject("creator_id", Long.class),
                rs.getObject("updater_id", Long.class), rs.getString("updater_name"),
                rs.getObject("pushed_at", OffsetDateTime.class), rs.getObject("pulled_at", OffsetDateTime.class),
                manifestRow(rs));
    }

    private static ManifestRow manifestRow(ResultSet rs) throws SQLException {
        return new ManifestRow(rs.getLong("m_id"), Digest.parse(rs.getString("digest")), rs.getString("media_type"),
                rs.getLong("size"), rs.getObject("total_size", Long.class),
                Repositories.platform(rs.getString("platform_os"), rs.getString("platform_architecture"),
                        rs.getString("platform_variant")),
                rs.getObject("m_pushed_at", OffsetDateTime.class), rs.getObject("m_pulled_at", OffsetDateTime.class));
    }
}
