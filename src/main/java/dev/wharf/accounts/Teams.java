package dev.wharf.accounts;

import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.DomainException;
import dev.wharf.core.Like;
import dev.wharf.core.ShortCache;
import dev.wharf.core.Timestamps;
import dev.wharf.core.UniqueViolation;
import dev.wharf.core.Validation;
import dev.wharf.db.Invalidations;
import dev.wharf.repositories.Repository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * An organization's teams, their members and their permissions on the organization's repositories. Every change is
 * audited in the same transaction. A team's members are always members of its organization: the database removes a
 * member who leaves the organization from its teams.
 *
 * <p>What a member's teams allow on a repository is asked on every registry request; it is read through a
 * one-second cache that every node forgets as soon as a change to teams, their members or their permissions
 * commits.
 */
public final class Teams {
    public static final int MAX_DESCRIPTION = 255;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,29}");
    private static final String COLUMNS = "t.id, t.uuid, t.org_id, t.name, t.description, t.created_at,"
            + " (SELECT COUNT(*) FROM team_members c WHERE c.team_id = t.id) AS member_count";
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final long CACHE_BYTES = 4L * 1024 * 1024;
    /**
     * The invalidation topic of the grants, keyed {@code org <id>} (a team deleted), {@code member <org id> <user
     * id>} (a team's members changed) or {@code repository <id>} (a team's permission changed).
     */
    private static final String TOPIC = "team-grants";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Accounts accounts;
    private final Clock clock;
    private final ShortCache<GrantKey, Optional<TeamPermission>> grants;
    private final Invalidations invalidations;

    /** One member's teams' permission on one repository of the organization, as the cache keys it. */
    private record GrantKey(long orgId, long userId, long repositoryId) {
    }

    /** A team's permission on a repository. */
    public record Grant(Team team, TeamPermission permission) {
    }

    /** A permission a team holds, by the repository's full name. */
    public record RepositoryPermission(String repository, TeamPermission permission, OffsetDateTime grantedAt) {
    }

    public Teams(Jdbi jdbi, Invalidations invalidations, AuditLog audit, Accounts accounts, Clock clock) {
        this.jdbi = jdbi;
        this.invalidations = invalidations;
        this.audit = audit;
        this.accounts = accounts;
        this.clock = clock;
        this.grants = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 120, clock);
        accounts.whenMembershipChanges(m -> {
            if (m == null) {
                grants.invalidateAll();
            } else {
                forgetMember(m.orgId(), m.userId());
            }
        });
        invalidations.subscribe(TOPIC, this::forget, grants::invalidateAll);
    }

    private void forget(String key) {
        String[] parts = key.split(" ", -1);
        switch (parts[0]) {
            case "org" -> {
                long org = Long.parseLong(parts[1]);
                grants.invalidateIf(k -> k.orgId() == org);
            }
            case "member" -> forgetMember(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            case "repository" -> {
                long repository = Long.parseLong(parts[1]);
                grants.invalidateIf(k -> k.repositoryId() == repository);
            }
            default -> grants.invalidateAll();
        }
    }

    private void forgetMember(long orgId, long userId) {
        grants.invalidateIf(k -> k.orgId() == orgId && k.userId() == userId);
    }

    /**
     * The strongest permission any of the user's teams in the organization has on the repository, or empty when
     * none has one. The caller has checked that the user is a member and that the repository is the organization's.
     */
    public Optional<TeamPermission> permissionOf(long orgId, long userId, long repositoryId) {
        return grants.get(new GrantKey(orgId, userId, repositoryId), k -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT p.permission FROM team_permissions p"
                                + " JOIN team_members m ON m.team_id = p.team_id AND m.user_id = :u"
                                + " WHERE p.repository_id = :r")
                .bind("u", k.userId()).bind("r", k.repositoryId()).mapTo(String.class).stream()
                .map(TeamPermission::parse).max(Enum::compareTo)));
    }

    /**
     * The organization's teams by name, at {@code offset}, at most {@code limit}: with {@code search} those whose
     * name contains it, with {@code member} those the user is in.
     */
    public Page<Team> list(Account org, String search, Account member, long offset, int limit) {
        String where = " FROM teams t WHERE t.org_id = :o"
                + (search == null ? "" : " AND LOWER(t.name) LIKE :search ESCAPE '!'")
                + (member == null ? "" : " AND EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id"
                + " AND m.user_id = :u)");
        return jdbi.withHandle(h -> {
            Query count = filtered(h.createQuery("SELECT COUNT(*)" + where), org, search, member);
            Query page = filtered(h.createQuery("SELECT " + COLUMNS + where
                    + " ORDER BY t.name LIMIT :limit OFFSET :offset"), org, search, member);
            long total = count.mapTo(Long.class).one();
            return new Page<>(total, page.bind("limit", limit).bind("offset", offset).map(Teams::map).list());
        });
    }

    private static Query filtered(Query query, Account org, String search, Account member) {
        query.bind("o", org.id());
        if (search != null) {
            query.bind("search", Like.containing(search));
        }
        if (member != null) {
            query.bind("u", member.id());
        }
        return query;
    }

    /** The organization's team of this name. */
    public Team find(Account org, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM teams t WHERE t.org_id = :o"
                        + " AND t.name = :name")
                .bind("o", org.id()).bind("name", name).map(Teams::map).findOne())
                .orElseThrow(() -> new DomainException.NotFound("group not found"));
    }

    /** The team with this id, in whichever organization. */
    public Optional<Team> findById(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM teams t WHERE t.id = :id")
                .bind("id", id).map(Teams::map).findOne());
    }

    /** Creates a team; its name is unique in the organization. */
    public Team create(Account org, String name, String description, Actor actor) {
        validate(name, description);
        UUID uuid = UUID.randomUUID();
        OffsetDateTime now = Timestamps.now(clock);
        String text = description == null ? "" : description;
        return jdbi.inTransaction(h -> {
            requireFreeName(h, org.id(), name);
            long id = UniqueViolation.asConflict(taken(name), () -> h.createUpdate(
                            "INSERT INTO teams (uuid, org_id, name, description, created_at)"
                                    + " VALUES (:uuid, :o, :name, :description, :at)")
                    .bind("uuid", uuid).bind("o", org.id()).bind("name", name).bind("description", text)
                    .bind("at", now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
            audit.record(h, org.logOwner(), AuditAction.ORG_TEAM_CREATE, name, actor,
                    Map.of("description", text));
            return new Team(id, uuid, org.id(), name, text, now, 0);
        });
    }

    /** Renames a team or changes its description; null leaves that part as it is. */
    public Team update(Account org, Team team, String name, String description, Actor actor) {
        String newName = name == null ? team.name() : name;
        String newDescription = description == null ? team.description() : description;
        validate(newName, newDescription);
        if (newName.equals(team.name()) && newDescription.equals(team.description())) {
            return team;
        }
        jdbi.useTransaction(h -> {
            if (!newName.equals(team.name())) {
                requireFreeName(h, org.id(), newName);
            }
            int updated = UniqueViolation.asConflict(taken(newName), () -> h.createUpdate(
                            "UPDATE teams SET name = :name, description = :description WHERE id = :id")
                    .bind("name", newName).bind("description", newDescription).bind("id", team.id()).execute());
            if (updated == 0) {
                throw new DomainException.NotFound("group not found");
            }
            Map<String, String> data = new LinkedHashMap<>();
            data.put("description", newDescription);
            if (!newName.equals(team.name())) {
                data.put("previous_name", team.name());
            }
            audit.record(h, org.logOwner(), AuditAction.ORG_TEAM_UPDATE, newName, actor, data);
        });
        return new Team(team.id(), team.uuid(), team.orgId(), newName, newDescription, team.createdAt(),
                team.memberCount());
    }

    /** Deletes a team with its memberships and its repository permissions. */
    public void delete(Account org, Team team, Actor actor) {
        jdbi.useTransaction(h -> {
            if (h.createUpdate("DELETE FROM teams WHERE id = :id").bind("id", team.id()).execute() == 0) {
                throw new DomainException.NotFound("group not found");
            }
            audit.record(h, org.logOwner(), AuditAction.ORG_TEAM_DELETE, team.name(), actor, Map.of());
            invalidations.publish(h, TOPIC, "org " + team.orgId());
        });
    }

    /** A team's members by name, at {@code offset}, at most {@code limit}; with {@code search}, names that have it. */
    public Page<Account> members(Team team, String search, long offset, int limit) {
        String where = " FROM team_members m JOIN accounts a ON a.id = m.user_id WHERE m.team_id = :t"
                + (search == null ? "" : " AND a.name LIKE :search ESCAPE '!'");
        return jdbi.withHandle(h -> {
            Query count = h.createQuery("SELECT COUNT(*)" + where).bind("t", team.id());
            Query page = h.createQuery("SELECT " + Accounts.columns("a") + where
                            + " ORDER BY a.name LIMIT :limit OFFSET :offset")
                    .bind("t", team.id()).bind("limit", limit).bind("offset", offset);
            if (search != null) {
                count.bind("search", Like.containing(search));
                page.bind("search", Like.containing(search));
            }
            return new Page<>(count.mapTo(Long.class).one(), page.map(Accounts::map).list());
        });
    }

    /** Adds a member of the organization to a team; adding one who is in it already changes nothing. */
    public void addMember(Account org, Team team, String username, Actor actor) {
        Account user = accounts.user(username);
        jdbi.useTransaction(h -> {
            // Locks the membership, so that the member cannot leave the organization meanwhile.
            boolean member = h.createQuery("SELECT role FROM org_members WHERE org_id = :o AND user_id = :u FOR UPDATE")
                    .bind("o", org.id()).bind("u", user.id()).mapTo(String.class).findOne().isPresent();
            if (!member) {
                throw new DomainException.NotFound("user is not a member of the organization");
            }
            boolean already = h.createQuery("SELECT COUNT(*) FROM team_members WHERE team_id = :t AND user_id = :u")
                    .bind("t", team.id()).bind("u", user.id()).mapTo(Long.class).one() > 0;
            if (already) {
                return;
            }
            UniqueViolation.asConflict("user is already a member of the group", () -> h.createUpdate(
                            "INSERT INTO team_members (team_id, org_id, user_id, added_at) VALUES (:t, :o, :u, :at)")
                    .bind("t", team.id()).bind("o", org.id()).bind("u", user.id())
                    .bind("at", Timestamps.now(clock)).execute());
            audit.record(h, org.logOwner(), AuditAction.ORG_TEAM_MEMBER_ADD, username, actor,
                    Map.of("team", team.name()));
            memberChanged(h, org, user);
        });
    }

    /** Removes a user from a team. */
    public void removeMember(Account org, Team team, String username, Actor actor) {
        Account user = accounts.user(username);
        jdbi.useTransaction(h -> {
            int removed = h.createUpdate("DELETE FROM team_members WHERE team_id = :t AND user_id = :u")
                    .bind("t", team.id()).bind("u", user.id()).execute();
            if (removed == 0) {
                throw new DomainException.NotFound("user is not a member of the group");
            }
            audit.record(h, org.logOwner(), AuditAction.ORG_TEAM_MEMBER_REMOVE, username, actor,
                    Map.of("team", team.name()));
            memberChanged(h, org, user);
        });
    }

    /**
     * Gives a team a permission on a repository of its organization, replacing the one it had. The caller has
     * checked that {@code actor} owns the organization.
     */
    public Grant grant(Account org, Team team, Repository repository, TeamPermission permission, Actor actor) {
        if (team.orgId() != org.id() || repository.namespaceId() != org.id()) {
            throw new DomainException.NotFound("group not found");
        }
        jdbi.useTransaction(h -> {
            Optional<TeamPermission> previous = h.createQuery("SELECT permission FROM team_permissions"
                            + " WHERE team_id = :t AND repository_id = :r FOR UPDATE")
                    .bind("t", team.id()).bind("r", repository.id()).mapTo(String.class).findOne()
                    .map(TeamPermission::parse);
            if (previous.isPresent() && previous.get() == permission) {
                return;
            }
            String sql = previous.isPresent()
                    ? "UPDATE team_permissions SET permission = :p, granted_at = :at"
                    + " WHERE team_id = :t AND repository_id = :r"
                    : "INSERT INTO team_permissions (team_id, repository_id, permission, granted_at)"
                    + " VALUES (:t, :r, :p, :at)";
            UniqueViolation.asConflict("the group's permission is being changed by another request", () ->
                    h.createUpdate(sql).bind("t", team.id()).bind("r", repository.id())
                            .bind("p", permission.wireName()).bind("at", Timestamps.now(clock)).execute());
            Map<String, String> data = new LinkedHashMap<>();
            data.put("team", team.name());
            data.put("permission", permission.wireName());
            previous.ifPresent(p -> data.put("previous_permission", p.wireName()));
            audit.record(h, org.logOwner(), AuditAction.ORG_TEAM_PERMISSION_UPDATE, repository.name().toString(),
                    actor, data);
            invalidations.publish(h, TOPIC, "repository " + repository.id());
        });
        return new Grant(team, permission);
    }

    /** The team's permissions by repository name, at {@code offset}, at most {@code limit}. */
    public Page<RepositoryPermission> permissions(Team team, long offset, int limit) {
        return jdbi.withHandle(h -> new Page<>(
                h.createQuery("SELECT COUNT(*) FROM team_permissions WHERE team_id = :t").bind("t", team.id())
                        .mapTo(Long.class).one(),
                h.createQuery("SELECT r.name, p.permission, p.granted_at FROM team_permissions p"
                                + " JOIN repositories r ON r.id = p.repository_id WHERE p.team_id = :t"
                                + " ORDER BY r.name LIMIT :limit OFFSET :offset")
                        .bind("t", team.id()).bind("limit", limit).bind("offset", offset)
                        .map((rs, ctx) -> new RepositoryPermission(rs.getString(1),
                                TeamPermission.parse(rs.getString(2)), rs.getObject(3, OffsetDateTime.class)))
                        .list()));
    }

    /** The names of the teams each of {@code userIds} is in, in the organization, by name. */
    public Map<Long, List<String>> teamNames(Account org, List<Long> userIds) {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        if (userIds.isEmpty()) {
            return out;
        }
        jdbi.useHandle(h -> h.createQuery("SELECT m.user_id, t.name FROM team_members m"
                        + " JOIN teams t ON t.id = m.team_id WHERE m.org_id = :o AND m.user_id IN (<users>)"
                        + " ORDER BY t.name")
                .bind("o", org.id()).bindList("users", userIds)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue())));
        return out;
    }

    private void memberChanged(Handle h, Account org, Account user) {
        invalidations.publish(h, TOPIC, "member " + org.id() + " " + user.id());
    }

    private static void validate(String name, String description) {
        new Validation()
                .check(name != null && !name.isEmpty(), "name", "This field is required.")
                .check(name == null || name.isEmpty() || NAME.matcher(name).matches(), "name",
                        "Must be 3 to 30 characters: letters, digits, '.', '_' or '-', starting with a letter or"
                                + " digit.")
                .check(description == null || description.length() <= MAX_DESCRIPTION, "description",
                        "Ensure this field has no more than " + MAX_DESCRIPTION + " characters.")
                .throwIfInvalid();
    }

    private static void requireFreeName(Handle h, long orgId, String name) {
        boolean exists = h.createQuery("SELECT COUNT(*) FROM teams WHERE org_id = :o AND name = :name")
                .bind("o", orgId).bind("name", name).mapTo(Long.class).one() > 0;
        if (exists) {
            throw new DomainException.Conflict(taken(name));
        }
    }

    private static String taken(String name) {
        return "a group named '" + name + "' already exists in this organization";
    }

    private static Team map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Team(rs.getLong("id"), rs.getObject("uuid", UUID.class), rs.getLong("org_id"),
                rs.getString("name"), rs.getString("description"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getLong("member_count"));
    }
}
