package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.audit.LogOwner;
import dev.wharf.core.Nulls;
import dev.wharf.core.Timestamps;
import dev.wharf.core.Validation;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.NullArgument;
import org.jdbi.v3.core.Jdbi;

/**
 * The retention policies of repositories and namespaces, as stored: a repository's own, or its namespace's default
 * (a row without a repository). Every change is audited in the namespace's log as {@code repo.retention.set} or
 * {@code repo.retention.delete}.
 *
 * <p>The unique index on (namespace, repository) does not keep a namespace to one default, because NULLs are distinct
 * in it; a namespace's default is therefore written under a lock on the namespace's account row.
 */
public final class RetentionPolicies {
    private static final String COLUMNS = "keep_pattern, keep_count, unpulled_days, untagged_days";
    /** The longest keep pattern, as the column holds. */
    public static final int MAX_PATTERN_LENGTH = 256;
    public static final int MAX_KEEP_COUNT = 10_000;
    /** A hundred years. */
    public static final int MAX_DAYS = 36_500;

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;

    public RetentionPolicies(Jdbi jdbi, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.clock = clock;
    }

    /** A policy as stored, with when and by whom it was last set. */
    public record Stored(RetentionPolicy policy, OffsetDateTime updatedAt, String updatedBy) {
    }

    /**
     * Checks a policy: the pattern compiles and has at most {@value #MAX_PATTERN_LENGTH} characters, the keep count
     * (1..{@value #MAX_KEEP_COUNT}) and pattern come together, days are 1..{@value #MAX_DAYS}, and at least one rule
     * is given.
     */
    public static RetentionPolicy validate(RetentionPolicy p) {
        Validation v = new Validation();
        String pattern = p.keepPattern();
        if (pattern != null) {
            if (pattern.isEmpty()) {
                v.add("keep_pattern", "May not be empty.");
            } else if (pattern.length() > MAX_PATTERN_LENGTH) {
                v.add("keep_pattern", "At most " + MAX_PATTERN_LENGTH + " characters.");
            } else {
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    v.add("keep_pattern", "Invalid regular expression: " + e.getDescription() + ".");
                }
            }
        }
        v.check(p.keepCount() == null || (p.keepCount() >= 1 && p.keepCount() <= MAX_KEEP_COUNT), "keep_count",
                "Must be between 1 and " + MAX_KEEP_COUNT + ".");
        v.check(pattern == null || p.keepCount() != null, "keep_count", "Required with keep_pattern.");
        v.check(p.keepCount() == null || pattern != null, "keep_pattern", "Required with keep_count.");
        days(v, "unpulled_days", p.unpulledDays());
        days(v, "untagged_days", p.untaggedDays());
        v.check(pattern != null || p.keepCount() != null || p.unpulledDays() != null || p.untaggedDays() != null,
                "policy", "At least one of keep_pattern with keep_count, unpulled_days or untagged_days is required.");
        v.throwIfInvalid();
        return p;
    }

    private static void days(Validation v, String field, Integer days) {
        v.check(days == null || (days >= 1 && days <= MAX_DAYS), field, "Must be between 1 and " + MAX_DAYS + ".");
    }

    /** A repository's own policy, if it has one. */
    public Optional<Stored> ofRepository(Repository repo) {
        return jdbi.withHandle(h -> read(h, repo.namespaceId(), repo.id()));
    }

    /** A namespace's default policy, if it has one. */
    public Optional<Stored> ofNamespace(long namespaceId) {
        return jdbi.withHandle(h -> read(h, namespaceId, null));
    }

    /** Sets a repository's own policy, which replaces its namespace's default as a whole. */
    public Stored setForRepository(Repository repo, RetentionPolicy policy, Actor actor) {
        return set(new LogOwner(repo.namespaceId(), repo.name().namespace()), repo.id(), repo.name().value(),
                validate(policy), actor);
    }

    /** Sets a namespace's default, for its repositories without a policy of their own. */
    public Stored setForNamespace(LogOwner namespace, RetentionPolicy policy, Actor actor) {
        return set(namespace, null, namespace.name(), validate(policy), actor);
    }

    /** Removes a repository's own policy; whether there was one. */
    public boolean deleteForRepository(Repository repo, Actor actor) {
        return delete(new LogOwner(repo.namespaceId(), repo.name().namespace()), repo.id(), repo.name().value(),
                actor);
    }

    /** Removes a namespace's default; whether there was one. */
    public boolean deleteForNamespace(LogOwner namespace, Actor actor) {
        return delete(namespace, null, namespace.name(), actor);
    }

    private Stored set(LogOwner namespace, Long repositoryId, String name, RetentionPolicy p, Actor actor) {
        OffsetDateTime now = Timestamps.now(clock);
        return jdbi.inTransaction(h -> {
            lockNamespace(h, namespace.id());
            String sql = read(h, namespace.id(), repositoryId).isPresent()
                    ? "UPDATE retention_policies SET keep_pattern = :kp, keep_count = :kc, unpulled_days = :ud,"
                    + " untagged_days = :td, updated_at = :at, updated_by = :by WHERE namespace_id = :ns AND "
                    + scope(repositoryId)
                    : "INSERT INTO retention_policies (namespace_id, repository_id, " + COLUMNS
                    + ", updated_at, updated_by) VALUES (:ns, " + (repositoryId == null ? "NULL" : ":r")
                    + ", :kp, :kc, :ud, :td, :at, :by)";
            var update = h.createUpdate(sql)
                    .bind("kp", Nulls.text(p.keepPattern())).bind("kc", integer(p.keepCount()))
                    .bind("ud", integer(p.unpulledDays())).bind("td", integer(p.untaggedDays()))
                    .bind("at", now).bind("by", actor.name()).bind("ns", namespace.id());
            if (repositoryId != null) {
                update.bind("r", repositoryId);
            }
            update.execute();
            Map<String, String> data = new LinkedHashMap<>();
            data.put("scope", repositoryId == null ? "namespace" : "repository");
            put(data, "keep_pattern", p.keepPattern());
            put(data, "keep_count", p.keepCount());
            put(data, "unpulled_days", p.unpulledDays());
            put(data, "untagged_days", p.untaggedDays());
            audit.record(h, namespace, AuditAction.REPO_RETENTION_SET, name, actor, data);
            return read(h, namespace.id(), repositoryId).orElseThrow();
        });
    }

    private boolean delete(LogOwner namespace, Long repositoryId, String name, Actor actor) {
        return jdbi.inTransaction(h -> {
            lockNamespace(h, namespace.id());
            var update = h.createUpdate("DELETE FROM retention_policies WHERE namespace_id = :ns AND "
                    + scope(repositoryId)).bind("ns", namespace.id());
            if (repositoryId != null) {
                update.bind("r", repositoryId);
            }
            int n = update.execute();
            if (n > 0) {
                audit.record(h, namespace, AuditAction.REPO_RETENTION_DELETE, name, actor,
                        Map.of("scope", repositoryId == null ? "namespace" : "repository"));
            }
            return n > 0;
        });
    }

    /** Serializes the policy writes of one namespace, so that two requests never insert two defaults. */
    private static void lockNamespace(Handle h, long namespaceId) {
        h.createQuery("SELECT id FROM accounts WHERE id = :ns FOR UPDATE").bind("ns", namespaceId)
                .mapTo(Long.class).findOne();
    }

    private static String scope(Long repositoryId) {
        return repositoryId == null ? "repository_id IS NULL" : "repository_id = :r";
    }

    private static Object integer(Integer value) {
        return value != null ? value : (Argument) new NullArgument(Types.INTEGER);
    }

    private static void put(Map<String, String> data, String key, Object value) {
        if (value != null) {
            data.put(key, value.toString());
        }
    }

    private static Optional<Stored> read(Handle h, long namespaceId, Long repositoryId) {
        var q = h.createQuery("SELECT " + COLUMNS + ", updated_at, updated_by FROM retention_policies"
                        + " WHERE namespace_id = :ns AND " + scope(repositoryId) + " ORDER BY id LIMIT 1")
                .bind("ns", namespaceId);
        if (repositoryId != null) {
            q.bind("r", repositoryId);
        }
        return q.map((rs, ctx) -> new Stored(new RetentionPolicy(rs.getString(1), rs.getObject(2, Integer.class),
                        rs.getObject(3, Integer.class), rs.getObject(4, Integer.class)),
                        rs.getObject(5, OffsetDateTime.class), rs.getString(6)))
                .findOne();
    }

    /**
     * The policy in force for each of these repositories that has one: its own, else its namespace's default. The
     * map holds only repositories with a policy.
     */
    public Map<Long, RetentionPolicy> effective(Handle h, Collection<Long> repositoryIds) {
        Map<Long, RetentionPolicy> out = new HashMap<>();
        if (repositoryIds.isEmpty()) {
            return out;
        }
        List<Long> ids = List.copyOf(repositoryIds);
        h.createQuery("SELECT r.id, p.repository_id, p." + COLUMNS.replace(", ", ", p.")
                        + " FROM repositories r JOIN retention_policies p ON p.namespace_id = r.namespace_id"
                        + " AND (p.repository_id = r.id OR p.repository_id IS NULL) WHERE r.id IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, ctx) -> {
                    long repo = rs.getLong(1);
                    boolean own = rs.getObject(2) != null;
                    RetentionPolicy p = new RetentionPolicy(rs.getString(3), rs.getObject(4, Integer.class),
                            rs.getObject(5, Integer.class), rs.getObject(6, Integer.class));
                    return Map.entry(repo, Map.entry(own, p));
                })
                .forEach(e -> {
                    boolean own = e.getValue().getKey();
                    if (own || !out.containsKey(e.getKey())) {
                        out.put(e.getKey(), e.getValue().getValue());
                    }
                });
        return out;
    }

    /** The same, in its own transaction-less read. */
    public Map<Long, RetentionPolicy> effective(Collection<Long> repositoryIds) {
        return jdbi.withHandle(h -> effective(h, repositoryIds));
    }
}
