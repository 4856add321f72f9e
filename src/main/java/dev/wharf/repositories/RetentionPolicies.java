package dev.wharf.repositories;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The retention policies of repositories and namespaces, as stored. */
public final class RetentionPolicies {
    private static final String COLUMNS = "keep_pattern, keep_count, unpulled_days, untagged_days";

    private final Jdbi jdbi;

    public RetentionPolicies(Jdbi jdbi) {
        this.jdbi = jdbi;
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
