package dev.wharf.accounts;

import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.Clock;
import dev.wharf.core.DomainException;
import dev.wharf.core.UniqueViolation;
import dev.wharf.core.Validation;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Users, organizations and memberships. Every change is audited in the same transaction. */
public final class Accounts {
    public static final int MIN_PASSWORD_LENGTH = 10;
    private static final String COLUMNS = "id, uuid, name, kind, email, site_admin, created_at";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final PasswordHasher hasher;

    public Accounts(Jdbi jdbi, AuditLog audit, PasswordHasher hasher) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.hasher = hasher;
    }

    public Optional<Account> find(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE name = :name")
                .bind("name", name).map(Accounts::map).findOne());
    }

    public Optional<Account> findById(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = :id")
                .bind("id", id).map(Accounts::map).findOne());
    }

    public Account user(String name) {
        return find(name).filter(a -> !a.isOrg()).orElseThrow(() -> new DomainException.NotFound("user not found"));
    }

    public Account org(String name) {
        return find(name).filter(Account::isOrg)
                .orElseThrow(() -> new DomainException.NotFound("organization not found"));
    }

    public List<Account> users() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE kind = 'user' ORDER BY name")
                .map(Accounts::map).list());
    }

    public boolean hasAnyUser() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM accounts WHERE kind = 'user'")
                .mapTo(Long.class).one()) > 0;
    }

    /** Creates a user; {@code actor} is recorded in the audit log. */
    public Account createUser(String name, String password, String email, boolean siteAdmin, String actor) {
        new Validation()
                .add("username", Names.problem(name))
                .check(password != null && password.length() >= MIN_PASSWORD_LENGTH, "password",
                        "Must be at least " + MIN_PASSWORD_LENGTH + " characters.")
                .check(password == null || password.length() <= 1024, "password", "Must be at most 1024 characters.")
                .check(email == null || email.matches("[^@\\s]+@[^@\\s]+") && email.length() <= 254, "email",
                        "Enter a valid email address.")
                .throwIfInvalid();
        String hash = hasher.hash(password);
        return jdbi.inTransaction(h -> {
            Account account = insert(h, name, Account.Kind.USER, email, hash, siteAdmin);
            audit.record(h, name, AuditAction.USER_CREATE, name, actor, null, Map.of());
            return account;
        });
    }

    /** Deletes a user with their tokens and memberships. Refused when they are the last owner of an org. */
    public void deleteUser(String name, String actor) {
        jdbi.useTransaction(h -> {
            Account user = h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE name = :name AND kind = 'user'")
                    .bind("name", name).map(Accounts::map).findOne()
                    .orElseThrow(() -> new DomainException.NotFound("user not found"));
            List<String> soleOwnerOf = h.createQuery(
                            "SELECT a.name FROM org_members m JOIN accounts a ON a.id = m.org_id"
                                    + " WHERE m.user_id = :id AND m.role = 'owner' AND NOT EXISTS ("
                                    + " SELECT 1 FROM org_members o WHERE o.org_id = m.org_id AND o.role = 'owner'"
                                    + " AND o.user_id <> :id)")
                    .bind("id", user.id()).mapTo(String.class).list();
            if (!soleOwnerOf.isEmpty()) {
                throw new DomainException.Conflict("user is the last owner of " + String.join(", ", soleOwnerOf));
            }
            if (user.siteAdmin() && h.createQuery("SELECT COUNT(*) FROM accounts WHERE site_admin")
                    .mapTo(Long.class).one() == 1) {
                throw new DomainException.Conflict("cannot delete the last site admin");
            }
            h.createUpdate("DELETE FROM accounts WHERE id = :id").bind("id", user.id()).execute();
            audit.record(h, name, AuditAction.USER_DELETE, name, actor, null, Map.of());
        });
    }

    /** The user whose password this is, checked in constant time; empty for a wrong name or password. */
    public Optional<Account> verifyPassword(String name, String password) {
        Optional<Map.Entry<Account, String>> row = jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + ", password_hash FROM accounts WHERE name = :name AND kind = 'user'")
                .bind("name", name)
                .map((rs, ctx) -> Map.entry(map(rs, ctx), rs.getString("password_hash")))
                .findOne());
        boolean ok = hasher.verify(password, row.map(Map.Entry::getValue).orElse(null));
        return ok ? row.map(Map.Entry::getKey) : Optional.empty();
    }

    /** Creates an organization owned by {@code owner}. */
    public Account createOrg(String name, Account owner) {
        new Validation().add("name", Names.problem(name)).throwIfInvalid();
        return jdbi.inTransaction(h -> {
            Account org = insert(h, name, Account.Kind.ORG, null, null, false);
            h.createUpdate("INSERT INTO org_members (org_id, user_id, role, added_at) VALUES (:o, :u, 'owner', :at)")
                    .bind("o", org.id()).bind("u", owner.id()).bind("at", Clock.now()).execute();
            audit.record(h, name, AuditAction.ORG_CREATE, name, owner.name(), null, Map.of());
            audit.record(h, name, AuditAction.ORG_MEMBER_ADD, owner.name(), owner.name(), null,
                    Map.of("role", Role.OWNER.wireName()));
            return org;
        });
    }

    /** The user's role in the org, or empty when they are not a member. */
    public Optional<Role> roleOf(long orgId, long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT role FROM org_members WHERE org_id = :o AND user_id = :u")
                .bind("o", orgId).bind("u", userId).mapTo(String.class).findOne().map(Role::parse));
    }

    public List<Membership> members(String orgName) {
        Account org = org(orgName);
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT a.name, m.role, m.added_at FROM org_members m JOIN accounts a ON a.id = m.user_id"
                                + " WHERE m.org_id = :o ORDER BY a.name")
                .bind("o", org.id())
                .map((rs, ctx) -> new Membership(orgName, rs.getString(1), Role.parse(rs.getString(2)),
                        rs.getObject(3, OffsetDateTime.class)))
                .list());
    }

    /** Adds a member or changes their role. Only owners may; the last owner cannot be demoted. */
    public Membership setMember(String orgName, String username, Role role, Account actor) {
        Account org = org(orgName);
        requireOwner(org, actor);
        Account user = user(username);
        return jdbi.inTransaction(h -> {
            Optional<Role> current = h.createQuery(
                            "SELECT role FROM org_members WHERE org_id = :o AND user_id = :u FOR UPDATE")
                    .bind("o", org.id()).bind("u", user.id()).mapTo(String.class).findOne().map(Role::parse);
            OffsetDateTime now = Clock.now();
            if (current.isEmpty()) {
                h.createUpdate("INSERT INTO org_members (org_id, user_id, role, added_at) VALUES (:o, :u, :r, :at)")
                        .bind("o", org.id()).bind("u", user.id()).bind("r", role.wireName()).bind("at", now).execute();
                audit.record(h, orgName, AuditAction.ORG_MEMBER_ADD, username, actor.name(), null,
                        Map.of("role", role.wireName()));
            } else if (current.get() != role) {
                if (current.get() == Role.OWNER) {
                    requireAnotherOwner(h, org, user);
                }
                h.createUpdate("UPDATE org_members SET role = :r WHERE org_id = :o AND user_id = :u")
                        .bind("o", org.id()).bind("u", user.id()).bind("r", role.wireName()).execute();
                audit.record(h, orgName, AuditAction.ORG_MEMBER_ROLE_CHANGE, username, actor.name(), null,
                        Map.of("role", role.wireName(), "previous_role", current.get().wireName()));
            }
            return new Membership(orgName, username, role, now);
        });
    }

    /** Removes a member. Only owners may; the last owner cannot be removed. */
    public void removeMember(String orgName, String username, Account actor) {
        Account org = org(orgName);
        requireOwner(org, actor);
        Account user = user(username);
        jdbi.useTransaction(h -> {
            Role current = h.createQuery("SELECT role FROM org_members WHERE org_id = :o AND user_id = :u FOR UPDATE")
                    .bind("o", org.id()).bind("u", user.id()).mapTo(String.class).findOne().map(Role::parse)
                    .orElseThrow(() -> new DomainException.NotFound("member not found"));
            if (current == Role.OWNER) {
                requireAnotherOwner(h, org, user);
            }
            h.createUpdate("DELETE FROM org_members WHERE org_id = :o AND user_id = :u")
                    .bind("o", org.id()).bind("u", user.id()).execute();
            audit.record(h, orgName, AuditAction.ORG_MEMBER_REMOVE, username, actor.name(), null, Map.of());
        });
    }

    /** Whether {@code user} may administer {@code account}'s settings and log: it is them, or they own the org. */
    public boolean isOwner(Account account, Account user) {
        if (!account.isOrg()) {
            return account.id() == user.id();
        }
        return roleOf(account.id(), user.id()).filter(r -> r == Role.OWNER).isPresent();
    }

    private void requireOwner(Account org, Account actor) {
        if (!isOwner(org, actor)) {
            throw new DomainException.Forbidden("only organization owners may manage members");
        }
    }

    private static void requireAnotherOwner(Handle h, Account org, Account user) {
        // Lock every owner row so that two concurrent demotions cannot both see the other owner.
        long others = h.createQuery("SELECT user_id FROM org_members WHERE org_id = :o AND role = 'owner' FOR UPDATE")
                .bind("o", org.id()).mapTo(Long.class).stream().filter(id -> id != user.id()).count();
        if (others == 0) {
            throw new DomainException.Conflict("an organization must keep at least one owner");
        }
    }

    private static Account insert(Handle h, String name, Account.Kind kind, String email, String hash,
                                  boolean siteAdmin) {
        boolean taken = h.createQuery("SELECT COUNT(*) FROM accounts WHERE name = :name")
                .bind("name", name).mapTo(Long.class).one() > 0;
        if (taken) {
            throw new DomainException.Conflict("the name '" + name + "' is already taken");
        }
        UUID uuid = UUID.randomUUID();
        OffsetDateTime now = Clock.now();
        long id = UniqueViolation.asConflict("the name '" + name + "' is already taken", () -> h.createUpdate(
                        "INSERT INTO accounts (uuid, name, kind, email, password_hash, site_admin, created_at)"
                        + " VALUES (:uuid, :name, :kind, :email, :hash, :admin, :at)")
                .bind("uuid", uuid).bind("name", name).bind("kind", kind == Account.Kind.ORG ? "org" : "user")
                .bind("email", email).bind("hash", hash).bind("admin", siteAdmin).bind("at", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new Account(id, uuid, name, kind, email, siteAdmin, now);
    }

    private static Account map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Account(rs.getLong("id"), rs.getObject("uuid", UUID.class), rs.getString("name"),
                "org".equals(rs.getString("kind")) ? Account.Kind.ORG : Account.Kind.USER, rs.getString("email"),
                rs.getBoolean("site_admin"), rs.getObject("created_at", OffsetDateTime.class));
    }
}
