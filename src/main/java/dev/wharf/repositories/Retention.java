package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.storage.Digest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What a repository's retention policy removes, and removing it. The rules, of the policy in force (the repository's
 * own, else its namespace's default):
 * <ul>
 *   <li>keep: of the tags that fully match {@code keep_pattern}, the newest {@code keep_count} by push time stay and
 *       the rest go; the newest ones are also kept from the unpulled rule;</li>
 *   <li>unpulled: a tag last pulled (never pulled: pushed) more than {@code unpulled_days} ago goes;</li>
 *   <li>untagged: an untagged manifest pushed more than {@code untagged_days} ago goes (the collector decides that
 *       when it reviews the manifest; {@link #plan} lists them for a dry run).</li>
 * </ul>
 * Immutable tags ({@link ImmutableTags}) never go, whatever the rules say. Tag names have at most 128 characters and
 * the pattern is matched within {@link ImmutableTags}' budget: a pattern that runs out of it on a tag counts as not
 * matching, so that tag is not removed by the keep rule.
 */
public final class Retention implements Collection.RetentionStep {
    private final Jdbi jdbi;
    private final Repositories repositories;
    private final RetentionPolicies policies;

    public Retention(Jdbi jdbi, Repositories repositories, RetentionPolicies policies) {
        this.jdbi = jdbi;
        this.repositories = repositories;
        this.policies = policies;
    }

    /** An untagged manifest the policy would remove. */
    public record UntaggedManifest(Digest digest, OffsetDateTime pushedAt, Long size) {
    }

    /** What the policy removes now: tags, and the manifests left (or already) untagged that are old enough. */
    public record Plan(RetentionPolicy policy, List<Repositories.RemovedTag> tags, List<UntaggedManifest> untagged) {
        public static final Plan NONE = new Plan(null, List.of(), List.of());
    }

    /** One tag as the rules see it. */
    record TagRow(String name, Digest digest, OffsetDateTime pushedAt, OffsetDateTime pulledAt) {
    }

    /** The repositories with a policy in force, their own or their namespace's. */
    @Override
    public List<Long> repositoriesWithPolicy(Handle h) {
        return h.createQuery("SELECT r.id FROM repositories r WHERE EXISTS (SELECT 1 FROM retention_policies p"
                        + " WHERE p.namespace_id = r.namespace_id AND (p.repository_id = r.id"
                        + " OR p.repository_id IS NULL)) ORDER BY r.id")
                .mapTo(Long.class).list();
    }


    /** The same, in its own read, for a dry run. */
    public Plan plan(long repositoryId, OffsetDateTime now) {
        return jdbi.inTransaction(h -> plan(h, repositoryId, now));
    }

    /** A repository's plan, by its name. */
    public record NamedPlan(String repository, Plan plan) {
    }

    /** The plans of every repository of a namespace that has a policy in force, by name. */
    public List<NamedPlan> plans(long namespaceId, OffsetDateTime now) {
        return jdbi.inTransaction(h -> {
            List<Map.Entry<Long, String>> repos = h.createQuery("SELECT r.id, r.name FROM repositories r"
                            + " WHERE r.namespace_id = :ns AND EXISTS (SELECT 1 FROM retention_policies p"
                            + " WHERE p.namespace_id = r.namespace_id AND (p.repository_id = r.id"
                            + " OR p.repository_id IS NULL)) ORDER BY r.name")
                    .bind("ns", namespaceId).map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2))).list();
            List<NamedPlan> out = new ArrayList<>();
            for (Map.Entry<Long, String> r : repos) {
                out.add(new NamedPlan(r.getValue(), plan(h, r.getKey(), now)));
            }
            return List.copyOf(out);
        });
    }

    /** What the repository's policy removes at {@code now}; nothing without a policy. */
    public Plan plan(Handle h, long repositoryId, OffsetDateTime now) {
        RetentionPolicy policy = policies.effective(h, List.of(repositoryId)).get(repositoryId);
        if (policy == null) {
            return Plan.NONE;
        }
        List<TagRow> tags = h.createQuery("SELECT t.name, m.digest, t.pushed_at, t.pulled_at FROM tags t"
                        + " JOIN manifests m ON m.id = t.manifest_id WHERE t.repository_id = :r")
                .bind("r", repositoryId)
                .map((rs, ctx) -> new TagRow(rs.getString(1), Digest.parse(rs.getString(2)),
                        rs.getObject(3, OffsetDateTime.class), rs.getObject(4, OffsetDateTime.class)))
                .list();
        ImmutableTags immutable = ImmutableTags.read(h, repositoryId);
        List<Repositories.RemovedTag> removed = new ArrayList<>();
        for (TagRow t : removedTags(policy, tags, now)) {
            if (!immutable.protects(t.name())) {
                removed.add(new Repositories.RemovedTag(t.name(), t.digest()));
            }
        }
        return new Plan(policy, List.copyOf(removed), untagged(h, repositoryId, policy, removed, now));
    }

    /**
     * The tags the rules remove, by name, before immutability is considered: a pure function of the policy, the tags
     * and the time.
     */
    static List<TagRow> removedTags(RetentionPolicy policy, List<TagRow> tags, OffsetDateTime now) {
        Set<String> kept = new HashSet<>();
        Set<String> removed = new HashSet<>();
        if (policy.keepPattern() != null && policy.keepCount() != null) {
            Pattern pattern = Pattern.compile(policy.keepPattern());
            List<TagRow> matching = new ArrayList<>();
            for (TagRow t : tags) {
                if (Boolean.TRUE.equals(ImmutableTags.matchWithinBudget(pattern, t.name()))) {
                    matching.add(t);
                }
            }
            matching.sort(Comparator.comparing(TagRow::pushedAt).reversed().thenComparing(TagRow::name));
            for (int i = 0; i < matching.size(); i++) {
                (i < policy.keepCount() ? kept : removed).add(matching.get(i).name());
            }
        }
        if (policy.unpulledDays() != null) {
            OffsetDateTime cutoff = now.minus(Duration.ofDays(policy.unpulledDays()));
            for (TagRow t : tags) {
                OffsetDateTime lastUse = t.pulledAt() != null ? t.pulledAt() : t.pushedAt();
                if (lastUse.isBefore(cutoff) && !kept.contains(t.name())) {
                    removed.add(t.name());
                }
            }
        }
        return tags.stream().filter(t -> removed.contains(t.name())).sorted(Comparator.comparing(TagRow::name))
                .toList();
    }

    /**
     * The manifests untagged once {@code removed} are gone, pushed more than {@code untagged_days} ago, that the
     * collector would take: named by no index of the repository, no referrer of a manifest still there, and the
     * subject of no tagged referrer.
     */
    private static List<UntaggedManifest> untagged(Handle h, long repositoryId, RetentionPolicy policy,
                                                   List<Repositories.RemovedTag> removed, OffsetDateTime now) {
        if (policy.untaggedDays() == null) {
            return List.of();
        }
        Set<String> removedTags = new HashSet<>();
        removed.forEach(t -> removedTags.add(t.tag()));
        Map<Long, List<String>> tagsOf = new HashMap<>();
        h.createQuery("SELECT manifest_id, name FROM tags WHERE repository_id = :r").bind("r", repositoryId)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .forEach(e -> tagsOf.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        Set<Long> tagged = new HashSet<>();
        tagsOf.forEach((m, names) -> {
            if (!removedTags.containsAll(names)) {
                tagged.add(m);
            }
        });
        Set<Long> alive = new HashSet<>(tagged);
        alive.addAll(h.createQuery("SELECT DISTINCT c.id FROM manifests c JOIN manifest_references r"
                        + " ON r.digest = c.digest AND r.kind = 'manifest' JOIN manifests p ON p.id = r.manifest_id"
                        + " AND p.repository_id = c.repository_id WHERE c.repository_id = :r AND p.id <> c.id")
                .bind("r", repositoryId).mapTo(Long.class).list());
        alive.addAll(h.createQuery("SELECT c.id FROM manifests c JOIN manifests s ON s.repository_id = c.repository_id"
                        + " AND s.digest = c.subject_digest WHERE c.repository_id = :r")
                .bind("r", repositoryId).mapTo(Long.class).list());
        List<Map.Entry<Long, Long>> referrers = h.createQuery("SELECT s.id, r.id FROM manifests s JOIN manifests r"
                        + " ON r.repository_id = s.repository_id AND r.subject_digest = s.digest"
                        + " WHERE s.repository_id = :r")
                .bind("r", repositoryId).map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2))).list();
        for (Map.Entry<Long, Long> e : referrers) {
            if (tagged.contains(e.getValue())) {
                alive.add(e.getKey());
            }
        }
        OffsetDateTime cutoff = now.minus(Duration.ofDays(policy.untaggedDays()));
        List<UntaggedManifest> out = new ArrayList<>();
        h.createQuery("SELECT id, digest, COALESCE(pushed_at, created_at), total_size FROM manifests"
                        + " WHERE repository_id = :r ORDER BY digest")
                .bind("r", repositoryId)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), new UntaggedManifest(Digest.parse(rs.getString(2)),
                        rs.getObject(3, OffsetDateTime.class), rs.getObject(4, Long.class))))
                .forEach(e -> {
                    if (!alive.contains(e.getKey()) && e.getValue().pushedAt().isBefore(cutoff)) {
                        out.add(e.getValue());
                    }
                });
        return List.copyOf(out);
    }

    /**
     * Deletes the tags the repository's policy removes at {@code now}, in the caller's transaction; the manifests
     * they leave untagged are queued for the collector after the protection window.
     */
    public List<Repositories.RemovedTag> apply(Handle h, long repositoryId, OffsetDateTime now, Actor actor) {
        return apply(h, repositoryId, now, null, actor);
    }

    /**
     * The same, for the collector, which applies policies before it reviews: the manifests the removed tags leave
     * untagged are queued for {@code reviewAfter} (the run's start, so that the same run looks at them; null: after
     * the protection window).
     */
    @Override
    public List<Repositories.RemovedTag> apply(Handle h, long repositoryId, OffsetDateTime now,
                                               OffsetDateTime reviewAfter, Actor actor) {
        Plan plan = plan(h, repositoryId, now);
        if (plan.tags().isEmpty()) {
            return List.of();
        }
        Optional<Repository> repo = Repositories.byId(h, repositoryId);
        if (repo.isEmpty()) {
            return List.of();
        }
        List<String> tags = plan.tags().stream().map(Repositories.RemovedTag::tag).toList();
        return reviewAfter == null ? repositories.deleteTags(h, repo.get(), tags, actor)
                : repositories.deleteTags(h, repo.get(), tags, actor, reviewAfter);
    }
}
