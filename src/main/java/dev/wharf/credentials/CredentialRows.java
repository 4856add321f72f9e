package dev.wharf.credentials;

import dev.wharf.repositories.Action;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/** How credentials are stored: the SQL of the {@code credentials} and {@code credential_resources} tables. */
final class CredentialRows {
    static final String SELECT = "SELECT c.id, c.uuid, c.owner_id, o.name AS owner_name, c.kind, c.label,"
            + " c.description, c.scopes, c.creator_id, c.creator_name, c.creator_ip, c.creator_ua, c.client_id,"
            + " c.generated_by, c.is_active, c.created_at, c.expires_at, c.revoked_at, c.deleted, c.rotated_from_id,"
            + " c.last_used, c.last_used_ips FROM credentials c JOIN accounts o ON o.id = c.owner_id";
    /** Revoked by now, or deleted. */
    static final String REVOKED = "(c.deleted OR (c.revoked_at IS NOT NULL AND c.revoked_at <= :now))";
    /** Authenticates now. */
    static final String USABLE = "(c.is_active AND NOT c.deleted AND (c.revoked_at IS NULL OR c.revoked_at > :now)"
            + " AND (c.expires_at IS NULL OR c.expires_at > :now))";
    /** How many addresses of last use are kept. */
    static final int LAST_USED_IPS = 5;

    private CredentialRows() {
    }

    /** One credential with its resources, by a unique column. */
    static Optional<Credential> one(Handle h, String where, String param, Object value, boolean forUpdate) {
        List<Credential> found = list(h.createQuery(SELECT + " WHERE " + where + (forUpdate ? " FOR UPDATE" : ""))
                .bind(param, value), h);
        return found.stream().findFirst();
    }

    /** The credentials with these ids, in this order. */
    static List<Credential> byIds(Handle h, List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<Long, Credential> found = new LinkedHashMap<>();
        for (Credential c : list(h.createQuery(SELECT + " WHERE c.id IN (<ids>)").bindList("ids", ids), h)) {
            found.put(c.id(), c);
        }
        return ids.stream().map(found::get).filter(c -> c != null).toList();
    }

    /** The credentials a query selects, each with its resources (read in one more query for all of them). */
    static List<Credential> list(Query query, Handle h) {
        List<Credential> rows = query.map((rs, ctx) -> map(rs)).list();
        List<Long> robots = rows.stream().filter(Credential::isRobot).map(Credential::id).toList();
        if (robots.isEmpty()) {
            return rows;
        }
        Map<Long, List<Resource>> resources = new LinkedHashMap<>();
        h.createQuery("SELECT credential_id, kind, path, actions FROM credential_resources"
                        + " WHERE credential_id IN (<ids>) ORDER BY credential_id, position")
                .bindList("ids", robots)
                .map((rs, ctx) -> Map.entry(rs.getLong("credential_id"), new Resource(
                        Resource.Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)), rs.getString("path"),
                        actions(rs.getString("actions")))))
                .forEach(e -> resources.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        List<Credential> out = new ArrayList<>(rows.size());
        for (Credential c : rows) {
            out.add(c.isRobot() ? withResources(c, resources.getOrDefault(c.id(), List.of())) : c);
        }
        return out;
    }

    static void writeResources(Handle h, long credentialId, List<Resource> resources) {
        h.createUpdate("DELETE FROM credential_resources WHERE credential_id = :id").bind("id", credentialId).execute();
        int position = 0;
        for (Resource r : resources) {
            h.createUpdate("INSERT INTO credential_resources (credential_id, position, kind, path, actions)"
                            + " VALUES (:id, :p, :k, :path, :a)")
                    .bind("id", credentialId).bind("p", position++)
                    .bind("k", r.kind().name().toLowerCase(Locale.ROOT)).bind("path", r.path())
                    .bind("a", r.actions().stream().sorted().map(Action::wireName).collect(Collectors.joining(",")))
                    .execute();
        }
    }

    static String scopes(List<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).collect(Collectors.joining(" "));
    }

    /** {@code ips} with {@code ip} moved to the end, at most {@link #LAST_USED_IPS} of them. */
    static List<String> withAddress(List<String> ips, String ip) {
        List<String> out = new ArrayList<>(ips);
        out.remove(ip);
        out.add(ip);
        while (out.size() > LAST_USED_IPS) {
            out.remove(0);
        }
        return out;
    }

    static List<String> addresses(String stored) {
        return stored == null || stored.isEmpty() ? List.of() : List.of(stored.split(",", -1));
    }

    private static Set<Action> actions(String stored) {
        EnumSet<Action> out = EnumSet.noneOf(Action.class);
        for (String name : stored.split(",", -1)) {
            for (Action a : Action.values()) {
                if (a.wireName().equals(name)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static Credential withResources(Credential c, List<Resource> resources) {
        return new Credential(c.id(), c.uuid(), c.ownerId(), c.ownerName(), c.kind(), c.name(), c.description(),
                c.scopes(), resources, c.creatorId(), c.creatorName(), c.creatorIp(), c.creatorUa(), c.clientId(),
                c.generatedBy(), c.active(), c.createdAt(), c.expiresAt(), c.revokedAt(), c.deleted(),
                c.rotatedFromId(), c.lastUsedAt(), c.lastUsedIps());
    }

    private static Credential map(ResultSet rs) throws SQLException {
        String scopes = rs.getString("scopes");
        List<Scope> parsed = scopes == null || scopes.isEmpty() ? List.of()
                : Arrays.stream(scopes.split(" ")).map(Scope::parse).filter(s -> s != null).toList();
        long creator = rs.getLong("creator_id");
        Long creatorId = rs.wasNull() ? null : creator;
        long from = rs.getLong("rotated_from_id");
        Long rotatedFrom = rs.wasNull() ? null : from;
        return new Credential(rs.getLong("id"), rs.getObject("uuid", UUID.class), rs.getLong("owner_id"),
                rs.getString("owner_name"),
                "robot".equals(rs.getString("kind")) ? Credential.Kind.ROBOT : Credential.Kind.PERSONAL,
                rs.getString("label"), rs.getString("description"), parsed, List.of(), creatorId,
                rs.getString("creator_name"), rs.getString("creator_ip"), rs.getString("creator_ua"),
                rs.getString("client_id"), rs.getString("generated_by"), rs.getBoolean("is_active"),
                rs.getObject("created_at", OffsetDateTime.class), rs.getObject("expires_at", OffsetDateTime.class),
                rs.getObject("revoked_at", OffsetDateTime.class), rs.getBoolean("deleted"), rotatedFrom,
                rs.getObject("last_used", OffsetDateTime.class), addresses(rs.getString("last_used_ips")));
    }
}
