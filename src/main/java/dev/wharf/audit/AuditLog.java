package dev.wharf.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.core.Nulls;
import dev.wharf.core.Timestamps;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Appends audit events and reads them back with Docker Hub's filters. Events belong to an account by its id, never
 * by its name: names are reused after an account is deleted, ids are not.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> DATA = new TypeReference<>() {
    };

    private final Jdbi jdbi;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Filters for {@link #query}; null fields do not filter. Page numbers start at 1. */
    public record Filter(String action, String name, String actor, OffsetDateTime from, OffsetDateTime to,
                         int page, int pageSize) {
    }

    /** Records an event in its own transaction. */
    public void record(LogOwner owner, AuditAction action, String name, Actor actor, Map<String, String> data) {
        jdbi.useHandle(h -> record(h, owner, action, name, actor, data));
    }

    /** Records an event inside the caller's transaction, so that it commits or rolls back with the change. */
    public void record(Handle handle, LogOwner owner, AuditAction action, String name, Actor actor,
                       Map<String, String> data) {
        recordAll(handle, owner, actor, List.of(new Entry(action, name, data)));
    }

    /** One event of a {@link #recordAll} batch. */
    public record Entry(AuditAction action, String name, Map<String, String> data) {
    }

    /**
     * Records events of one owner and actor inside the caller's transaction, in one batched statement: a bulk change
     * (a thousand deleted images) costs one round trip, not one per event.
     */
    public void recordAll(Handle handle, LogOwner owner, Actor actor, List<Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        OffsetDateTime at = Timestamps.now(clock);
        var batch = handle.prepareBatch("INSERT INTO audit_events (account_id, account, action, name, actor_id,"
                + " actor, credential_uuid, data, created_at)"
                + " VALUES (:accountId, :account, :action, :name, :actorId, :actor, :credential, :data, :at)");
        for (Entry e : entries) {
            batch.bind("accountId", owner.id())
                    .bind("account", owner.name())
                    .bind("action", e.action().fullName())
                    .bind("name", e.name())
                    .bind("actorId", Nulls.bigint(actor.accountId()))
                    .bind("actor", actor.name())
                    .bind("credential", Nulls.uuid(actor.credential()))
                    .bind("data", toJson(e.data()))
                    .bind("at", at)
                    .add();
        }
        batch.execute();
    }

    /** Events of one account, newest first. */
    public List<AuditEvent> query(LogOwner owner, Filter filter) {
        StringBuilder sql = new StringBuilder(
                "SELECT account, action, name, actor, credential_uuid, data, created_at FROM audit_events"
                        + " WHERE account_id = :accountId");
        if (filter.action() != null) {
            sql.append(" AND action = :action");
        }
        if (filter.name() != null) {
            sql.append(" AND name = :name");
        }
        if (filter.actor() != null) {
            sql.append(" AND actor = :actor");
        }
        if (filter.from() != null) {
            sql.append(" AND created_at >= :from");
        }
        if (filter.to() != null) {
            sql.append(" AND created_at <= :to");
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset");
        return jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString())
                    .bind("accountId", owner.id())
                    .bind("limit", filter.pageSize())
                    .bind("offset", (long) (filter.page() - 1) * filter.pageSize());
            if (filter.action() != null) {
                q.bind("action", filter.action());
            }
            if (filter.name() != null) {
                q.bind("name", filter.name());
            }
            if (filter.actor() != null) {
                q.bind("actor", filter.actor());
            }
            if (filter.from() != null) {
                q.bind("from", filter.from());
            }
            if (filter.to() != null) {
                q.bind("to", filter.to());
            }
            return q.map((rs, ctx) -> new AuditEvent(
                    rs.getString("account"),
                    rs.getString("action"),
                    rs.getString("name"),
                    rs.getString("actor"),
                    rs.getObject("credential_uuid", UUID.class),
                    fromJson(rs.getString("data")),
                    rs.getObject("created_at", OffsetDateTime.class))).list();
        });
    }

    private static String toJson(Map<String, String> data) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> fromJson(String json) {
        try {
            return JSON.readValue(json, DATA);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt audit data: " + e.getOriginalMessage(), e);
        }
    }
}
