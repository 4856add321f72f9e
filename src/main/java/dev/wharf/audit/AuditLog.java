package dev.wharf.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.core.Clock;
import dev.wharf.core.Nulls;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** Appends audit events and reads them back with Docker Hub's filters. */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> DATA = new TypeReference<>() {
    };

    private final Jdbi jdbi;

    public AuditLog(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Filters for {@link #query}; null fields do not filter. Page numbers start at 1. */
    public record Filter(String action, String name, String actor, OffsetDateTime from, OffsetDateTime to,
                         int page, int pageSize) {
    }

    /** Records an event in its own transaction. */
    public void record(String account, AuditAction action, String name, String actor, UUID credential,
                       Map<String, String> data) {
        jdbi.useHandle(h -> record(h, account, action, name, actor, credential, data));
    }

    /** Records an event inside the caller's transaction, so that it commits or rolls back with the change. */
    public void record(Handle handle, String account, AuditAction action, String name, String actor,
                       UUID credential, Map<String, String> data) {
        handle.createUpdate("INSERT INTO audit_events (account, action, name, actor, credential_uuid, data, created_at)"
                        + " VALUES (:account, :action, :name, :actor, :credential, :data, :at)")
                .bind("account", account)
                .bind("action", action.fullName())
                .bind("name", name)
                .bind("actor", actor)
                .bind("credential", Nulls.uuid(credential))
                .bind("data", toJson(data))
                .bind("at", Clock.now())
                .execute();
    }

    /** Events of one account, newest first. */
    public List<AuditEvent> query(String account, Filter filter) {
        StringBuilder sql = new StringBuilder(
                "SELECT account, action, name, actor, credential_uuid, data, created_at FROM audit_events"
                        + " WHERE account = :account");
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
                    .bind("account", account)
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
            throw new IllegalStateException("corrupt audit data: " + e.getOriginalMessage());
        }
    }
}
