package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.audit.LogOwner;
import dev.wharf.core.DomainException;
import dev.wharf.core.Nulls;
import dev.wharf.core.Reason;
import dev.wharf.core.Timestamps;
import dev.wharf.core.UniqueViolation;
import dev.wharf.core.Validation;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What a repository shows of itself beyond its content: descriptions, visibility and immutable-tag settings, each
 * change audited; and the read models of the repository listings, with what is stored in each repository and the
 * media types of its manifests. Every listing is a LIMIT/OFFSET walk of an index within one namespace.
 */
public final class RepositoryProfiles {
    /** The repository part of a name as Docker Hub allows it (lowercase, no slash). */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");
    public static final int NAME_MIN = 2;
    public static final int NAME_MAX = 255;
    public static final int DESCRIPTION_MAX = 100;
    public static final int FULL_DESCRIPTION_MAX = 25_000;
    /** How many tags a verified rule may run out of matching budget on before it is refused as too costly. */
    private static final int EXPENSIVE_MATCHES = 10;
    private static final String PROFILE_COLUMNS = ", description, full_description, modified_at, immutable_tags,"
            + " immutable_tag_rules";
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "application/vnd.oci.image.config.v1+json", "image",
            "application/vnd.docker.container.image.v1+json", "image",
            "application/vnd.docker.plugin.v1+json", "plugin",
            "application/vnd.cncf.helm.config.v1+json", "helm");

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Repositories repositories;
    private final Clock clock;

    public RepositoryProfiles(Jdbi jdbi, AuditLog audit, Repositories repositories, Clock clock) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.repositories = repositories;
        this.clock = clock;
    }

    /** A repository's descriptions, when they or its settings last changed, and its immutable-tag settings. */
    public record Profile(String description, String fullDescription, OffsetDateTime modifiedAt,
                          ImmutableTags immutableTags) {
    }

    /**
     * A repository as its listings show it: the stored bytes count each object it links or holds once; the media
     * types are its manifests' and their configs'; the content types say what those configs make it hold.
     */
    public record Summary(Repository repository, Profile profile, long storageBytes, List<String> mediaTypes,
                          List<String> contentTypes) {
    }

    public enum SortField { NAME, LAST_UPDATED, PULL_COUNT }

    /** A listing order; ties are broken by id, so pages never overlap. */
    public record Sort(SortField field, boolean descending) {
        public static final Sort DEFAULT = new Sort(SortField.NAME, false);

        String sql() {
            String direction = descending ? " DESC" : " ASC";
            return switch (field) {
                case NAME -> "name" + direction;
                // Never-pushed repositories come last in both directions.
                case LAST_UPDATED -> "pushed_at" + direction + " NULLS LAST, id" + direction;
                case PULL_COUNT -> "pull_count" + direction + ", id" + direction;
            };
        }
    }

    /** Repositories of a namespace whose own name contains {@code nameContains} (null: all), private ones too when asked. */
    public record Query(long namespaceId, String namespace, String nameContains, boolean includePrivate, Sort sort,
                        long offset, int limit) {
    }

    public record Page<T>(long total, List<T> items) {
    }

    // ---------------------------------------------------------------------------------------------- changes

    /** Why {@code name} cannot name a new repository in {@code namespace}, per Hub's rules, or null. */
    public static String nameProblem(String namespace, String name) {
        if (name == null || name.length() < NAME_MIN || name.length() > NAME_MAX) {
            return "Ensure this field has between " + NAME_MIN + " and " + NAME_MAX + " characters.";
        }
        if (!NAME.matcher(name).matches()) {
            return "Repository names may contain only lowercase letters, digits and separators (., _ or -)"
                    + " between them.";
        }
        if (namespace.length() + 1 + name.length() > RepositoryName.MAX_LENGTH) {
            return "The namespace and repository name together may have at most "
                    + (RepositoryName.MAX_LENGTH - 1) + " characters.";
        }
        return null;
    }

    /**
     * Creates an empty repository, audited as {@code repo.create}.
     *
     * @throws DomainException.Invalid  for a name, description or full description Hub would refuse
     * @throws DomainException.Conflict when the repository exists
     */
    public Repository create(LogOwner owner, String name, boolean isPrivate, String description,
                             String fullDescription, Actor actor) {
        Validation v = new Validation();
        v.add("name", nameProblem(owner.name(), name));
        checkDescriptions(v, description, fullDescription);
        v.throwIfInvalid();
        RepositoryName full = new RepositoryName(owner.name() + "/" + name);
        OffsetDateTime now = Timestamps.now(clock);
        UniqueViolation.asConflict("Repository with this Name and Namespace already exists.",
                () -> jdbi.inTransaction(h -> {
                    h.createUpdate("INSERT INTO repositories (namespace_id, name, is_private, created_at, pull_count,"
                                    + " description, full_description, modified_at)"
                                    + " VALUES (:ns, :n, :p, :at, 0, :d, :fd, :at)")
                            .bind("ns", owner.id()).bind("n", full.value()).bind("p", isPrivate).bind("at", now)
                            .bind("d", Nulls.text(description)).bind("fd", Nulls.text(fullDescription)).execute();
                    audit.record(h, owner, AuditAction.REPO_CREATE, full.value(), actor,
                            Map.of("visibility", isPrivate ? "private" : "public"));
                    repositories.created(h, full);
                    return full;
                }));
        return repositories.require(full);
    }

    /** Changes the descriptions (null: unchanged), audited as {@code repo.update}. */
    public void update(Repository repo, String description, String fullDescription, Actor actor) {
        Validation v = new Validation();
        checkDescriptions(v, description, fullDescription);
        v.throwIfInvalid();
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE repositories SET description = COALESCE(:d, description),"
                            + " full_description = COALESCE(:fd, full_description), modified_at = :now WHERE id = :r")
                    .bind("d", Nulls.text(description)).bind("fd", Nulls.text(fullDescription))
                    .bind("now", Timestamps.now(clock)).bind("r", repo.id()).execute();
            Map<String, String> data = new HashMap<>();
            if (description != null) {
                data.put("description", description);
            }
            if (fullDescription != null) {
                data.put("full_description_length", String.valueOf(fullDescription.length()));
            }
            audit.record(h, owner(repo), AuditAction.REPO_UPDATE, repo.name().value(), actor, data);
            repositories.changed(h, repo);
        });
    }

    /** Makes the repository public or private, audited as {@code repo.change_privacy}. */
    public void changePrivacy(Repository repo, boolean isPrivate, Actor actor) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE repositories SET is_private = :p, modified_at = :now WHERE id = :r")
                    .bind("p", isPrivate).bind("now", Timestamps.now(clock)).bind("r", repo.id()).execute();
            audit.record(h, owner(repo), AuditAction.REPO_CHANGE_PRIVACY, repo.name().value(), actor,
                    Map.of("privacy", isPrivate ? "private" : "public"));
            repositories.changed(h, repo);
        });
    }

    /** Replaces the immutable-tag settings, audited as {@code repo.immutable.tags.updated}. */
    public void setImmutableTags(Repository repo, ImmutableTags settings, Actor actor) {
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE repositories SET immutable_tags = :e, immutable_tag_rules = :rules,"
                            + " modified_at = :now WHERE id = :r")
                    .bind("e", settings.enabled()).bind("rules", settings.joinedRules())
                    .bind("now", Timestamps.now(clock)).bind("r", repo.id()).execute();
            audit.record(h, owner(repo), AuditAction.REPO_IMMUTABLE_TAGS_UPDATED, repo.name().value(), actor,
                    Map.of("enabled", String.valueOf(settings.enabled()), "rules", String.join(",", settings.rules())));
            repositories.changed(h, repo);
        });
    }

    /**
     * The first {@code limit} of the repository's tags, in name order, that {@code rule} fully matches. The rule is
     * checked as a settings rule is; tag names are streamed, never all held.
     */
    public List<String> tagsMatching(Repository repo, String rule, int limit) {
        String problem = ImmutableTags.problem(rule);
        if (problem != null) {
            throw new DomainException.Invalid("regex", problem);
        }
        Pattern pattern = Pattern.compile(rule);
        AtomicInteger exhausted = new AtomicInteger();
        return jdbi.withHandle(h -> {
            try (var names = h.createQuery("SELECT name FROM tags WHERE repository_id = :r ORDER BY name")
                    .bind("r", repo.id()).setFetchSize(1000).mapTo(String.class).stream()) {
                return names.filter(tag -> {
                    Boolean matched = ImmutableTags.matchWithinBudget(pattern, tag);
                    // A rule this costly on a few tags would take minutes over a large repository.
                    if (matched == null && exhausted.incrementAndGet() > EXPENSIVE_MATCHES) {
                        throw new DomainException.Invalid("regex", "The rule is too expensive to evaluate.");
                    }
                    return matched == null || matched;
                }).limit(limit).toList();
            }
        });
    }

    private static void checkDescriptions(Validation v, String description, String fullDescription) {
        v.check(description == null || description.length() <= DESCRIPTION_MAX, "description",
                "Ensure this field has no more than " + DESCRIPTION_MAX + " characters.");
        v.check(fullDescription == null || fullDescription.length() <= FULL_DESCRIPTION_MAX, "full_description",
                "Ensure this field has no more than " + FULL_DESCRIPTION_MAX + " characters.");
    }

    // ---------------------------------------------------------------------------------------------- reads

    /** The repository as it is now in the database (not this node's cache), with its profile and contents. */
    public Summary summary(Repository repo) {
        return jdbi.withHandle(h -> summaries(h, h.createQuery("SELECT " + Repositories.REPO_COLUMNS
                        + PROFILE_COLUMNS + " FROM repositories WHERE id = :r").bind("r", repo.id())))
                .stream().findFirst()
                .orElseThrow(() -> new DomainException.NotFound(Reason.REPOSITORY_UNKNOWN,
                        "repository " + repo.name() + " is not known"));
    }

    /** One page of a namespace's repositories, and how many the whole listing holds. */
    public Page<Summary> list(Query q) {
        StringBuilder where = new StringBuilder(" WHERE namespace_id = :ns");
        if (!q.includePrivate()) {
            where.append(" AND is_private = FALSE");
        }
        if (q.nameContains() != null) {
            where.append(" AND name LIKE :pattern ESCAPE '!'");
        }
        String pattern = q.nameContains() == null ? null
                : q.namespace() + "/%" + q.nameContains().replaceAll("[!%_]", "!$0") + "%";
        return jdbi.withHandle(h -> {
            var count = h.createQuery("SELECT COUNT(*) FROM repositories" + where).bind("ns", q.namespaceId());
            var page = h.createQuery("SELECT " + Repositories.REPO_COLUMNS + PROFILE_COLUMNS + " FROM repositories"
                            + where + " ORDER BY " + q.sort().sql() + " LIMIT :n OFFSET :o")
                    .bind("ns", q.namespaceId()).bind("n", q.limit()).bind("o", q.offset());
            if (pattern != null) {
                count.bind("pattern", pattern);
                page.bind("pattern", pattern);
            }
            long total = count.mapTo(Long.class).one();
            return new Page<>(total, summaries(h, page));
        });
    }

    /** The rows of {@code query} with their profiles, and their contents read in three queries for all of them. */
    private static List<Summary> summaries(Handle h, org.jdbi.v3.core.statement.Query query) {
        record Row(Repository repository, Profile profile) {
        }
        record Types(long repositoryId, String mediaType, String artifactType) {
        }
        List<Row> rows = query.map((rs, ctx) -> new Row(Repositories.mapRepository(rs, ctx),
                new Profile(rs.getString("description"), rs.getString("full_description"),
                        rs.getObject("modified_at", OffsetDateTime.class),
                        ImmutableTags.fromColumns(rs.getBoolean("immutable_tags"),
                                rs.getString("immutable_tag_rules"))))).list();
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Long> ids = rows.stream().map(r -> r.repository().id()).toList();
        Map<Long, Long> bytes = new HashMap<>();
        for (String table : List.of("repository_blobs", "manifests")) {
            h.createQuery("SELECT repository_id, SUM(size) FROM " + table + " WHERE repository_id IN (<ids>)"
                            + " GROUP BY repository_id")
                    .bindList("ids", ids)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getLong(2)))
                    .forEach(e -> bytes.merge(e.getKey(), e.getValue(), Long::sum));
        }
        Map<Long, TreeSet<String>> mediaTypes = new HashMap<>();
        Map<Long, TreeSet<String>> contentTypes = new HashMap<>();
        h.createQuery("SELECT DISTINCT repository_id, media_type, artifact_type FROM manifests"
                        + " WHERE repository_id IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, ctx) -> new Types(rs.getLong(1), rs.getString(2), rs.getString(3)))
                .forEach(t -> {
                    TreeSet<String> media = mediaTypes.computeIfAbsent(t.repositoryId(), k -> new TreeSet<>());
                    media.add(t.mediaType());
                    if (t.artifactType() != null) {
                        media.add(t.artifactType());
                        contentTypes.computeIfAbsent(t.repositoryId(), k -> new TreeSet<>())
                                .add(CONTENT_TYPES.getOrDefault(t.artifactType(), "unrecognized"));
                    }
                });
        List<Summary> out = new ArrayList<>();
        for (Row r : rows) {
            long id = r.repository().id();
            out.add(new Summary(r.repository(), r.profile(), bytes.getOrDefault(id, 0L),
                    List.copyOf(mediaTypes.getOrDefault(id, new TreeSet<>())),
                    List.copyOf(contentTypes.getOrDefault(id, new TreeSet<>()))));
        }
        return out;
    }

    private static LogOwner owner(Repository repo) {
        return new LogOwner(repo.namespaceId(), repo.name().namespace());
    }

}
