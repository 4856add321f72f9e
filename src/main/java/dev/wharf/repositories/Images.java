package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.storage.Digest;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A repository's manifests seen as images: each with its tags (those pointing at it now and those that once did,
 * from the tag history), its last push and pull, and whether it is active (pushed or pulled since a given time).
 * Lists, a summary, and bulk deletion ({@link ImageDeletion}). Every page is one index-ordered query on
 * {@code manifests} ({@code V9__image_indexes.sql}); the count is skipped when the page itself shows the total.
 */
public final class Images {
    /** Tags listed with each image of a list; all of them are paged by {@link #tags}. */
    public static final int TAGS_PER_IMAGE = 100;

    /**
     * The orders a list can have, each an index scan ({@code V9__image_indexes.sql}); the constant repository id leads
     * so that H2 sees that the index sorts.
     */
    public enum Ordering {
        LAST_ACTIVITY("m.repository_id, m.last_activity_at, m.id"),
        LAST_ACTIVITY_DESC("m.repository_id DESC, m.last_activity_at DESC, m.id DESC"),
        DIGEST("m.repository_id, m.digest"),
        DIGEST_DESC("m.repository_id DESC, m.digest DESC");

        private final String sql;

        Ordering(String sql) {
            this.sql = sql;
        }
    }

    /**
     * What to list: activity is measured from {@code activeFrom}; {@code active} and {@code tagged} filter when not
     * null; the page is {@code limit} images after {@code offset}.
     */
    public record Query(OffsetDateTime activeFrom, Boolean active, Boolean tagged, Ordering ordering, long offset,
                        int limit) {
    }

    /** A tag of an image: pointing at it now, or once. */
    public record ImageTag(String tag, boolean current) {
    }

    public record Image(Digest digest, List<ImageTag> tags, OffsetDateTime pushedAt, OffsetDateTime pulledAt,
                        boolean active) {
    }

    public record Page<T>(long total, List<T> items) {
    }

    public record Summary(long total, long active) {
        public long inactive() {
            return total - active;
        }
    }

    /**
     * Every tag that points or pointed at the digests {@code <d>} of repository {@code :r} (whose manifest ids are
     * {@code <m>}), with whether it points there now and its rank within its digest (current tags first, then by
     * name).
     */
    private static final String TAGS_OF = "SELECT u.digest, u.tag,"
            + " CASE WHEN t.manifest_id IS NULL THEN 0 ELSE 1 END AS is_current,"
            + " ROW_NUMBER() OVER (PARTITION BY u.digest"
            + " ORDER BY CASE WHEN t.manifest_id IS NULL THEN 1 ELSE 0 END, u.tag) AS tag_rank"
            + " FROM (SELECT digest, tag FROM tag_history WHERE repository_id = :r AND digest IN (<d>)"
            + " UNION SELECT m.digest, t.name FROM tags t JOIN manifests m ON m.id = t.manifest_id"
            + " WHERE t.manifest_id IN (<m>)) u"
            + " JOIN manifests m ON m.repository_id = :r AND m.digest = u.digest"
            + " LEFT JOIN tags t ON t.repository_id = :r AND t.name = u.tag AND t.manifest_id = m.id";

    private final Jdbi jdbi;
    private final Repositories repositories;

    public Images(Jdbi jdbi, Repositories repositories) {
        this.jdbi = jdbi;
        this.repositories = repositories;
    }

    /** A page of the repository's images. */
    public Page<Image> list(Repository repo, Query q) {
        return jdbi.withHandle(h -> {
            String where = " FROM manifests m WHERE m.repository_id = :r" + filters(q);
            List<Row> rows = bindFilters(h.createQuery("SELECT m.id, m.digest, m.pushed_at, m.pulled_at,"
                            + " m.last_activity_at" + where + " ORDER BY " + q.ordering().sql
                            + " LIMIT :limit OFFSET :offset"), repo, q)
                    .bind("limit", q.limit()).bind("offset", q.offset())
                    .map(Images::row).list();
            // A page that is neither empty nor full ends the list: it shows the total without counting.
            long total = !rows.isEmpty() && rows.size() < q.limit() ? q.offset() + rows.size()
                    : bindFilters(h.createQuery("SELECT COUNT(*)" + where), repo, q).mapTo(Long.class).one();
            Map<Digest, List<ImageTag>> tags = tagsOf(h, repo, rows, TAGS_PER_IMAGE);
            List<Image> images = new ArrayList<>();
            for (Row row : rows) {
                images.add(new Image(row.digest(), tags.getOrDefault(row.digest(), List.of()), row.pushedAt(),
                        row.pulledAt(), !row.lastActivity().isBefore(q.activeFrom())));
            }
            return new Page<>(total, images);
        });
    }

    /** How many images the repository holds, and how many of them are active since {@code activeFrom}. */
    public Summary summary(Repository repo, OffsetDateTime activeFrom) {
        return jdbi.withHandle(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM manifests WHERE repository_id = :r")
                    .bind("r", repo.id()).mapTo(Long.class).one();
            long active = h.createQuery("SELECT COUNT(*) FROM manifests WHERE repository_id = :r"
                            + " AND last_activity_at >= :from")
                    .bind("r", repo.id()).bind("from", activeFrom).mapTo(Long.class).one();
            return new Summary(total, active);
        });
    }

    /** A page of the tags that point or pointed at an image, current ones first; empty when there is no such image. */
    public Optional<Page<ImageTag>> tags(Repository repo, Digest digest, long offset, int limit) {
        return jdbi.withHandle(h -> {
            Optional<Long> id = h.createQuery("SELECT id FROM manifests WHERE repository_id = :r AND digest = :d")
                    .bind("r", repo.id()).bind("d", digest.toString()).mapTo(Long.class).findOne();
            if (id.isEmpty()) {
                return Optional.empty();
            }
            List<ImageTag> page = h.createQuery("SELECT tag, is_current FROM (" + TAGS_OF + ") x"
                            + " ORDER BY tag_rank LIMIT :limit OFFSET :offset")
                    .bind("r", repo.id()).bindList("d", List.of(digest.toString())).bindList("m", List.of(id.get()))
                    .bind("limit", limit).bind("offset", offset)
                    .map((rs, ctx) -> new ImageTag(rs.getString(1), rs.getInt(2) == 1)).list();
            long total = !page.isEmpty() && page.size() < limit ? offset + page.size()
                    : h.createQuery("SELECT COUNT(*) FROM (" + TAGS_OF + ") x")
                    .bind("r", repo.id()).bindList("d", List.of(digest.toString())).bindList("m", List.of(id.get()))
                    .mapTo(Long.class).one();
            return Optional.of(new Page<>(total, page));
        });
    }

    /**
     * Decides the deletion of {@code targets} from {@code repo} (absent: no such repository), with activity measured
     * from {@code activeFrom}; {@code mayDelete} is the access policy's answer for the caller.
     */
    public ImageDeletion.Plan plan(Optional<Repository> repo, List<ImageDeletion.Target> targets, boolean mayDelete,
                                   OffsetDateTime activeFrom, List<ImageDeletion.Warning> acknowledged) {
        Map<ImageDeletion.Target, ImageDeletion.Facts> facts = mayDelete && repo.isPresent()
                ? facts(repo.get(), targets, activeFrom) : Map.of();
        return ImageDeletion.decide(repo.orElse(null), targets, mayDelete, facts, acknowledged);
    }

    /**
     * Carries out a plan that is not blocked (a blocked one is refused with {@link ImageDeletion.Refused}): the
     * manifests and their tags go in one transaction, through {@link Repositories#deleteManifests}, which audits each.
     * A manifest that is gone by then (deleted meanwhile) counts as an error, with its tags.
     */
    public ImageDeletion.Metrics delete(ImageDeletion.Plan plan, Actor actor) {
        if (plan.blocked()) {
            throw new ImageDeletion.Refused(plan);
        }
        List<Digest> digests = plan.targets().stream().map(ImageDeletion.Target::digest).toList();
        Repositories.Deleted deleted = repositories.deleteManifests(plan.repository(), digests, actor);
        Set<Digest> gone = new HashSet<>(deleted.manifests());
        int tagErrors = 0;
        for (Digest d : digests) {
            if (!gone.contains(d)) {
                tagErrors += plan.tags().getOrDefault(d, List.of()).size();
            }
        }
        return new ImageDeletion.Metrics(deleted.manifests().size(), digests.size() - deleted.manifests().size(),
                deleted.tags().size(), tagErrors);
    }

    /** What a dry run reports: what {@link #delete} would delete now, or the refusal. */
    public static ImageDeletion.Metrics preview(ImageDeletion.Plan plan) {
        if (plan.blocked()) {
            throw new ImageDeletion.Refused(plan);
        }
        return new ImageDeletion.Metrics(plan.targets().size(), 0, plan.tagCount(), 0);
    }

    // ---------------------------------------------------------------------------------------------- internals

    private record Row(long id, Digest digest, OffsetDateTime pushedAt, OffsetDateTime pulledAt,
                       OffsetDateTime lastActivity) {
    }

    private static Row row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Row(rs.getLong(1), Digest.parse(rs.getString(2)), rs.getObject(3, OffsetDateTime.class),
                rs.getObject(4, OffsetDateTime.class), rs.getObject(5, OffsetDateTime.class));
    }

    private static String filters(Query q) {
        StringBuilder sql = new StringBuilder();
        if (q.active() != null) {
            sql.append(q.active() ? " AND m.last_activity_at >= :from" : " AND m.last_activity_at < :from");
        }
        if (q.tagged() != null) {
            sql.append(q.tagged() ? " AND" : " AND NOT").append(" EXISTS (SELECT 1 FROM tags t WHERE t.manifest_id = m.id)");
        }
        return sql.toString();
    }

    private static org.jdbi.v3.core.statement.Query bindFilters(org.jdbi.v3.core.statement.Query query,
                                                                Repository repo, Query q) {
        query.bind("r", repo.id());
        if (q.active() != null) {
            query.bind("from", q.activeFrom());
        }
        return query;
    }

    /** The tags of each listed image, at most {@code max} each. */
    private static Map<Digest, List<ImageTag>> tagsOf(Handle h, Repository repo, List<Row> rows, int max) {
        Map<Digest, List<ImageTag>> out = new HashMap<>();
        if (rows.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT digest, tag, is_current FROM (" + TAGS_OF + ") x WHERE tag_rank <= :max"
                        + " ORDER BY digest, tag_rank")
                .bind("r", repo.id()).bind("max", max)
                .bindList("d", rows.stream().map(r -> r.digest().toString()).toList())
                .bindList("m", rows.stream().map(Row::id).toList())
                .map((rs, ctx) -> Map.entry(Digest.parse(rs.getString(1)),
                        new ImageTag(rs.getString(2), rs.getInt(3) == 1)))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    /**
     * What {@link ImageDeletion#decide} needs about each target the repository holds, in three queries for the whole
     * request: the manifests, their current tags, and the indexes that refer to them.
     */
    private Map<ImageDeletion.Target, ImageDeletion.Facts> facts(Repository repo, List<ImageDeletion.Target> targets,
                                                                 OffsetDateTime activeFrom) {
        List<String> digests = targets.stream().map(t -> t.digest().toString()).distinct().toList();
        return jdbi.withHandle(h -> {
            Map<String, Long> ids = new HashMap<>();
            Set<String> active = new HashSet<>();
            org.jdbi.v3.core.statement.Query byDigest = h.createQuery(
                    "SELECT m.id, m.digest, m.pushed_at, m.pulled_at, m.last_activity_at FROM "
                            + DigestValues.table(digests.size())
                            + " JOIN manifests m ON m.repository_id = ? AND m.digest = v.d");
            byDigest.bind(DigestValues.bind(byDigest, digests), repo.id());
            for (Row m : byDigest.map(Images::row).list()) {
                ids.put(m.digest().toString(), m.id());
                if (!m.lastActivity().isBefore(activeFrom)) {
                    active.add(m.digest().toString());
                }
            }
            Map<ImageDeletion.Target, ImageDeletion.Facts> out = new LinkedHashMap<>();
            if (ids.isEmpty()) {
                return out;
            }
            Map<Long, List<String>> tags = new HashMap<>();
            h.createQuery("SELECT manifest_id, name FROM tags WHERE manifest_id IN (<m>) ORDER BY name")
                    .bindList("m", List.copyOf(ids.values()))
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                    .forEach(e -> tags.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            Set<String> requested = Set.copyOf(digests);
            Set<String> childrenOfOthers = new HashSet<>();
            List<String> found = List.copyOf(ids.keySet());
            org.jdbi.v3.core.statement.Query parents = h.createQuery("SELECT r.digest, p.digest FROM "
                    + DigestValues.table(found.size())
                    + " JOIN manifest_references r ON r.digest = v.d JOIN manifests p ON p.id = r.manifest_id"
                    + " WHERE r.kind = 'manifest' AND p.repository_id = ?");
            parents.bind(DigestValues.bind(parents, found), repo.id());
            parents.map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(child -> {
                        if (!requested.contains(child.getValue())) {
                            childrenOfOthers.add(child.getKey());
                        }
                    });
            for (ImageDeletion.Target target : targets) {
                String digest = target.digest().toString();
                Long id = ids.get(digest);
                if (id != null) {
                    out.put(target, new ImageDeletion.Facts(active.contains(digest), tags.getOrDefault(id, List.of()),
                            childrenOfOthers.contains(digest)));
                }
            }
            return out;
        });
    }
}
