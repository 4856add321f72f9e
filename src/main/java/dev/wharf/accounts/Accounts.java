package dev.wharf.accounts;

import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.DomainException;
import dev.wharf.core.Nulls;
import dev.wharf.core.ShortCache;
import dev.wharf.core.Timestamps;
import dev.wharf.core.UniqueViolation;
import dev.wharf.core.Validation;
import dev.wharf.db.Invalidations;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Users, organizations and memberships. Every change is audited in the same transaction.
 *
 * <p>Lookups on the request path (an account by name or id, a member's role) go through one-second caches that every
 * node forgets as soon as a change commits (see {@link Invalidations}), so that a deleted account or a removed member
 * stops working everywhere at once; the one second bounds how long a lost notification could leave one stale.
 */
public final class Accounts {
    public static final int MIN_PASSWORD_LENGTH = 10;
    public static final int MAX_PASSWORD_LENGTH = 1024;
    private static final String COLUMNS = "id, uuid, name, kind, email, site_admin, created_at";
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final long CACHE_BYTES = 4L * 1024 * 1024;
    /** Invalidation topics: an account, keyed {@code <id> <name>}; a membership, keyed {@code <org id> <user id>}. */
    private static final String ACCOUNT_TOPIC = "account";
    private static final String MEMBERSHIP_TOPIC = "membership";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final ShortCache<String, Optional<Account>> byName;
    private final ShortCache<Long, Optional<Account>> byId;
    private final ShortCache<Membership.Key, Optional<Role>> roles;
    private final List<Consumer<Membership.Key>> membershipChanging = new CopyOnWriteArrayList<>();
    private final List<ObjLongConsumer<Handle>> namespaceDeleting = new CopyOnWriteArrayList<>();
    /** A user's organizations by id, read on every pull they make (restricted images). */
    private final ShortCache<Long, List<Long>> orgsOfUser;
    private final Invalidations invalidations;

    public Accounts(Jdbi jdbi, Invalidations invalidations, AuditLog audit, PasswordHasher hasher, Clock clock) {
        this.jdbi = jdbi;
        this.invalidations = invalidations;
        this.audit = audit;
        this.hasher = hasher;
        this.clock = clock;
        this.byName = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 300 + ShortCache.bytes(k), clock);
        this.byId = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 300, clock);
        this.roles = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 100, clock);
        this.orgsOfUser = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 100 + 24 * v.size(), clock);
        invalidations.subscribe(ACCOUNT_TOPIC, this::forgetAccount, () -> {
            byName.invalidateAll();
            byId.invalidateAll();
            roles.invalidateAll();
            orgsOfUser.invalidateAll();
        });
        invalidations.subscribe(MEMBERSHIP_TOPIC, this::forgetMembership, () -> {
            roles.invalidateAll();
            orgsOfUser.invalidateAll();
            membershipChanging.forEach(listener -> listener.accept(null));
        });
    }

    /** Forgets an account, keyed {@code <id> <name>}, with its memberships; any user's organizations may include it. */
    private void forgetAccount(String key) {
        int space = key.indexOf(' ');
        long id = Long.parseLong(key.substring(0, space));
        byName.invalidate(key.substring(space + 1));
        byId.invalidate(id);
        roles.invalidateIf(k -> k.userId() == id || k.orgId() == id);
        orgsOfUser.invalidateAll();
    }

    /** Forgets a membership, keyed {@code <org id> <user id>}, and what the listeners derived from it. */
    private void forgetMembership(String key) {
        int space = key.indexOf(' ');
        Membership.Key membership = new Membership.Key(Long.parseLong(key.substring(0, space)),
                Long.parseLong(key.substring(space + 1)));
        roles.invalidate(membership);
        orgsOfUser.invalidate(membership.userId());
        membershipChanging.forEach(listener -> listener.accept(membership));
    }

    private void accountChanged(Handle h, Account account) {
        invalidations.publish(h, ACCOUNT_TOPIC, account.id() + " " + account.name());
    }

    private void membershipChanged(Handle h, long orgId, long userId) {
        invalidations.publish(h, MEMBERSHIP_TOPIC, orgId + " " + userId);
    }

    /** The account with this name. A string that cannot be an account's name is not looked up (nor cached). */
    public Optional<Account> find(String name) {
        if (!Names.mayExist(name)) {
            return Optional.empty();
        }
        return byName.get(name, n -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM accounts WHERE name = :name")
                .bind("name", n).map(Accounts::map).findOne()));
    }

    public Optional<Account> findById(long id) {
        return byId.get(id, i -> jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = :id")
                .bind("id", i).map(Accounts::map).findOne()));
    }

    public Optional<Account> findByUuid(UUID uuid) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE uuid = :u")
                .bind("u", uuid).map(Accounts::map).findOne());
    }

    /** Who created the account, while that account exists. */
    public Optional<Account> creator(Account account) {
        return jdbi.withHandle(h -> h.createQuery("SELECT created_by_id FROM accounts WHERE id = :id")
                        .bind("id", account.id()).mapTo(Long.class).findOne())
                .flatMap(this::findById);
    }

    /**
     * The organizations {@code userId} owns, by name, after {@code after} (null: from the first), at most
     * {@code limit}; with {@code name}, only the one of that name.
     */
    public List<Account> ownedOrgs(long userId, String name, String after, int limit) {
        return jdbi.withHandle(h -> {
            var query = h.createQuery("SELECT a." + COLUMNS.replace(", ", ", a.") + " FROM accounts a"
                            + " JOIN org_members m ON m.org_id = a.id AND m.user_id = :u AND m.role = 'owner'"
                            + " WHERE a.kind = 'org'" + (name == null ? "" : " AND a.name = :name")
                            + (after == null ? "" : " AND a.name > :after") + " ORDER BY a.name LIMIT :limit")
                    .bind("u", userId).bind("limit", limit);
            if (name != null) {
                query.bind("name", name);
            }
            if (after != null) {
                query.bind("after", after);
            }
            return query.map(Accounts::map).list();
        });
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

    /** Users by name, a page of them, with how many there are. */
    public Page<Account> users(long offset, int limit) {
        return jdbi.withHandle(h -> new Page<>(
                h.createQuery("SELECT COUNT(*) FROM accounts WHERE kind = 'user'").mapTo(Long.class).one(),
                h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE kind = 'user' ORDER BY name"
                                + " LIMIT :limit OFFSET :offset")
                        .bind("limit", limit).bind("offset", offset).map(Accounts::map).list()));
    }

    /** The site admin who has been one longest, whose log gets the events of what Wharf does on its own. */
    public Optional<Account> oldestSiteAdmin() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE kind = 'user'"
                        + " AND site_admin ORDER BY created_at, id LIMIT 1")
                .map(Accounts::map).findOne());
    }

    public boolean hasAnyUser() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM accounts WHERE kind = 'user'")
                .mapTo(Long.class).one()) > 0;
    }

    /** Creates a user; {@code actor} is recorded in the audit log. */
    public Account createUser(String name, String password, String email, boolean siteAdmin, Actor actor) {
        new Validation()
                .add("username", Names.problem(name))
                .check(password != null && password.length() >= MIN_PASSWORD_LENGTH, "password",
                        "Must be at least " + MIN_PASSWORD_LENGTH + " characters.")
                .check(password == null || password.length() <= MAX_PASSWORD_LENGTH, "password",
                        "Must be at most " + MAX_PASSWORD_LENGTH + " characters.")
                .check(email == null || (email.length() <= 254 && email.matches("[^@\\s]+@[^@\\s]+")), "email",
                        "Enter a valid email address.")
                .throwIfInvalid();
        String hash = hasher.hash(password);
        Account account = jdbi.inTransaction(h -> {
            Account created = insert(h, name, UUID.randomUUID(), Account.Kind.USER, email, hash, siteAdmin,
                    actor.accountId());
            audit.record(h, created.logOwner(), AuditAction.USER_CREATE, name, actor, Map.of());
            accountChanged(h, created);
            return created;
        });
        return account;
    }

    /** Deletes a user with their tokens and memberships. Refused when they are the last owner of an org. */
    public void deleteUser(String name, Actor actor) {
        jdbi.useTransaction(h -> {
            Account found = h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE name = :name AND kind = 'user'")
                    .bind("name", name).map(Accounts::map).findOne()
                    .orElseThrow(() -> new DomainException.NotFound("user not found"));
            List<String> soleOwnerOf = h.createQuery(
                            "SELECT a.name FROM org_members m JOIN accounts a ON a.id = m.org_id"
                                    + " WHERE m.user_id = :id AND m.role = 'owner' AND NOT EXISTS ("
                                    + " SELECT 1 FROM org_members o WHERE o.org_id = m.org_id AND o.role = 'owner'"
                                    + " AND o.user_id <> :id)")
                    .bind("id", found.id()).mapTo(String.class).list();
            if (!soleOwnerOf.isEmpty()) {
                throw new DomainException.Conflict("user is the last owner of " + String.join(", ", soleOwnerOf));
            }
            if (found.siteAdmin() && h.createQuery("SELECT COUNT(*) FROM accounts WHERE site_admin")
                    .mapTo(Long.class).one() == 1) {
                throw new DomainException.Conflict("cannot delete the last site admin");
            }
            namespaceDeleting.forEach(listener -> listener.accept(h, found.id()));
            h.createUpdate("DELETE FROM accounts WHERE id = :id").bind("id", found.id()).execute();
            audit.record(h, found.logOwner(), AuditAction.USER_DELETE, name, actor, Map.of());
            accountChanged(h, found);
        });
    }

    /**
     * The user whose password this is, checked in constant time; empty for a wrong name or password. A name that
     * cannot exist or an over-long password is refused without a hash: neither reveals anything by its timing.
     */
    public Optional<Account> verifyPassword(String name, String password) {
        if (Names.problem(name) != null || password == null || password.length() > MAX_PASSWORD_LENGTH) {
            return Optional.empty();
        }
        Optional<Map.Entry<Account, String>> row = jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + ", password_hash FROM accounts WHERE name = :name AND kind = 'user'")
                .bind("name", name)
                .map((rs, ctx) -> Map.entry(map(rs, ctx), rs.getString("password_hash")))
                .findOne());
        boolean ok = hasher.verify(password, row.map(Map.Entry::getValue).orElse(null));
        return ok ? row.map(Map.Entry::getKey) : Optional.empty();
    }

    /** Creates an organization owned by {@code owner}. */
    public Account createOrg(String name, Account owner, Actor actor) {
        return createOrg(name, UUID.randomUUID(), owner, actor);
    }

    /**
     * Creates an organization with the given uuid (IONOS's create-or-replace), owned by {@code owner}, who creates
     * it; only a site admin may create the official images' organization ({@link Names#OFFICIAL_NAMESPACE}).
     */
    public Account createOrg(String name, UUID uuid, Account owner, Actor actor) {
        new Validation().add("name", Names.orgProblem(name, owner)).throwIfInvalid();
        Account org = jdbi.inTransaction(h -> {
            Account created = insert(h, name, uuid, Account.Kind.ORG, null, null, false, actor.accountId());
            h.createUpdate("INSERT INTO org_members (org_id, user_id, role, added_at) VALUES (:o, :u, 'owner', :at)")
                    .bind("o", created.id()).bind("u", owner.id()).bind("at", Timestamps.now(clock)).execute();
            audit.record(h, created.logOwner(), AuditAction.ORG_CREATE, name, actor, Map.of());
            audit.record(h, created.logOwner(), AuditAction.ORG_MEMBER_ADD, owner.name(), actor,
                    Map.of("role", Role.OWNER.wireName()));
            accountChanged(h, created);
            membershipChanged(h, created.id(), owner.id());
            return created;
        });
        return org;
    }

    /**
     * Deletes an organization with everything in its namespace: repositories, robot credentials, memberships and
     * settings. The caller has checked that {@code actor} owns it.
     */
    public void deleteOrg(Account org, Actor actor) {
        jdbi.useTransaction(h -> {
            namespaceDeleting.forEach(listener -> listener.accept(h, org.id()));
            int deleted = h.createUpdate("DELETE FROM accounts WHERE id = :id AND kind = 'org'")
                    .bind("id", org.id()).execute();
            if (deleted == 0) {
                throw new DomainException.NotFound("organization not found");
            }
            audit.record(h, org.logOwner(), AuditAction.ORG_DELETE, org.name(), actor, Map.of());
            accountChanged(h, org);
        });
    }

    /** The user's role in the org, or empty when they are not a member. */
    public Optional<Role> roleOf(long orgId, long userId) {
        return roles.get(new Membership.Key(orgId, userId), k -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT role FROM org_members WHERE org_id = :o AND user_id = :u")
                .bind("o", k.orgId()).bind("u", k.userId()).mapTo(String.class).findOne().map(Role::parse)));
    }

    /** The ids of the organizations {@code userId} is a member of, in any role. */
    public List<Long> orgIdsOf(long userId) {
        return orgsOfUser.get(userId, u -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT org_id FROM org_members WHERE user_id = :u ORDER BY org_id")
                .bind("u", u).mapTo(Long.class).list()));
    }

    /**
     * Adds a member or changes their role; the last owner cannot be demoted. The caller has checked that
     * {@code actor} administers the org.
     */
    public Membership setMember(Account org, String username, Role role, Actor actor) {
        Account user = user(username);
        Membership membership = jdbi.inTransaction(h -> {
            Optional<Role> current = h.createQuery(
                            "SELECT role FROM org_members WHERE org_id = :o AND user_id = :u FOR UPDATE")
                    .bind("o", org.id()).bind("u", user.id()).mapTo(String.class).findOne().map(Role::parse);
            OffsetDateTime now = Timestamps.now(clock);
            if (current.isEmpty()) {
                h.createUpdate("INSERT INTO org_members (org_id, user_id, role, added_at) VALUES (:o, :u, :r, :at)")
                        .bind("o", org.id()).bind("u", user.id()).bind("r", role.wireName()).bind("at", now).execute();
                audit.record(h, org.logOwner(), AuditAction.ORG_MEMBER_ADD, username, actor,
                        Map.of("role", role.wireName()));
            } else if (current.get() != role) {
                if (current.get() == Role.OWNER) {
                    requireAnotherOwner(h, org, user);
                }
                h.createUpdate("UPDATE org_members SET role = :r WHERE org_id = :o AND user_id = :u")
                        .bind("o", org.id()).bind("u", user.id()).bind("r", role.wireName()).execute();
                audit.record(h, org.logOwner(), AuditAction.ORG_MEMBER_ROLE_CHANGE, username, actor,
                        Map.of("role", role.wireName(), "previous_role", current.get().wireName()));
            }
            membershipChanged(h, org.id(), user.id());
            return new Membership(org.name(), username, role, now);
        });
        return membership;
    }

    /**
     * Removes a member, and so from the org's teams; the last owner cannot be removed. The caller has checked that
     * {@code actor} may.
     */
    public void removeMember(Account org, String username, Actor actor) {
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
            audit.record(h, org.logOwner(), AuditAction.ORG_MEMBER_REMOVE, username, actor, Map.of());
            membershipChanged(h, org.id(), user.id());
        });
    }

    /**
     * Calls {@code listener} on every node after each change of a membership, so that what is cached about it (the
     * member's teams' grants) is forgotten with it; with null when every membership may have changed.
     */
    void whenMembershipChanges(Consumer<Membership.Key> listener) {
        membershipChanging.add(listener);
    }

    /**
     * Calls {@code listener} with the account's id in the transaction that deletes a user or an organization, before
     * the database's cascade removes what is in its namespace, so that the listener can still read it.
     */
    public void whenNamespaceDeleting(ObjLongConsumer<Handle> listener) {
        namespaceDeleting.add(listener);
    }

    private static void requireAnotherOwner(Handle h, Account org, Account user) {
        // Lock every owner row so that two concurrent demotions cannot both see the other owner.
        long others = h.createQuery("SELECT user_id FROM org_members WHERE org_id = :o AND role = 'owner' FOR UPDATE")
                .bind("o", org.id()).mapTo(Long.class).stream().filter(id -> id != user.id()).count();
        if (others == 0) {
            throw new DomainException.Conflict("an organization must keep at least one owner");
        }
    }

    private Account insert(Handle h, String name, UUID uuid, Account.Kind kind, String email, String hash,
                           boolean siteAdmin, Long createdById) {
        String taken = "the name '" + name + "' is already taken";
        boolean exists = h.createQuery("SELECT COUNT(*) FROM accounts WHERE name = :name")
                .bind("name", name).mapTo(Long.class).one() > 0;
        if (exists) {
            throw new DomainException.Conflict(taken);
        }
        OffsetDateTime now = Timestamps.now(clock);
        long id = UniqueViolation.asConflict(taken, () -> h.createUpdate(
                        "INSERT INTO accounts (uuid, name, kind, email, password_hash, site_admin, created_at,"
                        + " created_by_id) VALUES (:uuid, :name, :kind, :email, :hash, :admin, :at, :by)")
                .bind("uuid", uuid).bind("name", name).bind("kind", kind == Account.Kind.ORG ? "org" : "user")
                .bind("email", email).bind("hash", hash).bind("admin", siteAdmin).bind("at", now)
                .bind("by", Nulls.bigint(createdById))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new Account(id, uuid, name, kind, email, siteAdmin, now);
    }

    /** The columns {@link #map} reads, of the accounts table under {@code alias}. */
    static String columns(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    static Account map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Account(rs.getLong("id"), rs.getObject("uuid", UUID.class), rs.getString("name"),
                "org".equals(rs.getString("kind")) ? Account.Kind.ORG : Account.Kind.USER, rs.getString("email"),
                rs.getBoolean("site_admin"), rs.getObject("created_at", OffsetDateTime.class));
    }
}
