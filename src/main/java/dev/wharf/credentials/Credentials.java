package dev.wharf.credentials;

import dev.wharf.accounts.Account;
import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.audit.LogOwner;
import dev.wharf.core.Bookkeeping;
import dev.wharf.core.DomainException;
import dev.wharf.core.Like;
import dev.wharf.core.Nulls;
import dev.wharf.core.Reason;
import dev.wharf.core.ShortCache;
import dev.wharf.core.Timestamps;
import dev.wharf.core.UniqueViolation;
import dev.wharf.core.Validation;
import dev.wharf.db.Invalidations;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The one credential store behind every dialect: personal tokens of users and robots of organizations, created,
 * listed, changed, rotated and revoked here whichever API the client speaks. Secrets are generated here, returned
 * once, and stored only as SHA-256. Every change is audited, in the owner's log, in the same transaction.
 *
 * <p>Field names in validation errors are the domain's ({@code name}, {@code description}, {@code scopes},
 * {@code resources}, {@code expires_at}, {@code active}); each dialect renames them to its own.
 */
public final class Credentials {
    public static final int MAX_NAME = 100;
    public static final int MAX_DESCRIPTION = 255;
    public static final int MAX_SCOPES = 16;
    public static final int MAX_RESOURCES = 50;
    /** Live (not revoked) credentials one account may hold; revoked ones do not count. */
    public static final int MAX_LIVE_PER_OWNER = 1000;
    /**
     * Bounds how stale a node's view of a changed credential can be should its notification be lost; every node
     * forgets it as soon as the change commits.
     */
    private static final Duration STATE_CACHE_TTL = Duration.ofSeconds(1);
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
    /** The longest rotation chain reuse detection follows. */
    private static final int MAX_FAMILY = 10_000;
    private static final long CACHE_BYTES = 8L * 1024 * 1024;
    /** The invalidation topic of a credential's state, keyed by its uuid. */
    private static final String TOPIC = "credential";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Bookkeeping bookkeeping;
    private final CredentialRules rules;
    private final ShortCache<UUID, Optional<Credential>> byUuid;
    /** Credentials whose last use was written within the last minute: their next uses need no write. */
    private final ShortCache<UUID, Boolean> lastUsedWritten;
    private final Invalidations invalidations;

    public Credentials(Jdbi jdbi, Invalidations invalidations, AuditLog audit, Clock clock, Bookkeeping bookkeeping,
                       CredentialRules rules) {
        this.jdbi = jdbi;
        this.invalidations = invalidations;
        this.audit = audit;
        this.clock = clock;
        this.bookkeeping = bookkeeping;
        this.rules = rules;
        this.byUuid = new ShortCache<>(STATE_CACHE_TTL, CACHE_BYTES, (k, v) -> 1500, clock);
        this.lastUsedWritten = new ShortCache<>(LAST_USED_RESOLUTION, CACHE_BYTES, (k, v) -> 100, clock);
        invalidations.subscribe(TOPIC, uuid -> forget(UUID.fromString(uuid)), () -> {
            byUuid.invalidateAll();
            lastUsedWritten.invalidateAll();
        });
    }

    /** A new credential and its secret; the secret exists only in this object and is never stored. */
    public record Created(Credential credential, String secret) {
    }

    /**
     * One page of a listing, with how many match in all and, when the query asked for it, how many of those are
     * active (0 otherwise).
     */
    public record Page(long total, long activeCount, List<Credential> items) {
    }

    /** Where a credential was created from: the client's address and user agent, and the API it used. */
    public record Origin(String ip, String userAgent, String clientId) {
    }

    /**
     * What a new credential is. Personal tokens have scopes, robots resources.
     *
     * @param uuid the id to create it with (IONOS's create-or-replace), or null for a new random one
     */
    public record Draft(String name, String description, List<Scope> scopes, List<Resource> resources,
                        OffsetDateTime expiresAt, boolean active, UUID uuid) {
        public static Draft personal(String name, String description, List<Scope> scopes, OffsetDateTime expiresAt) {
            return new Draft(name, description, scopes, List.of(), expiresAt, true, null);
        }

        public static Draft robot(String name, String description, List<Resource> resources,
                                  OffsetDateTime expiresAt) {
            return new Draft(name, description, List.of(), resources, expiresAt, true, null);
        }

        public Draft withActive(boolean value) {
            return new Draft(name, description, scopes, resources, expiresAt, value, uuid);
        }

        public Draft withUuid(UUID value) {
            return new Draft(name, description, scopes, resources, expiresAt, active, value);
        }
    }

    /** A change; null fields stay as they are, and the expiry changes only when {@code expirySet}. */
    public record Change(String name, String description, Boolean active, List<Scope> scopes,
                         List<Resource> resources, boolean expirySet, OffsetDateTime expiresAt) {
        public static Change none() {
            return new Change(null, null, null, null, null, false, null);
        }

        public Change name(String value) {
            return new Change(value, description, active, scopes, resources, expirySet, expiresAt);
        }

        public Change description(String value) {
            return new Change(name, value, active, scopes, resources, expirySet, expiresAt);
        }

        public Change active(Boolean value) {
            return new Change(name, description, value, scopes, resources, expirySet, expiresAt);
        }

        public Change scopes(List<Scope> value) {
            return new Change(name, description, active, value, resources, expirySet, expiresAt);
        }

        public Change resources(List<Resource> value) {
            return new Change(name, description, active, scopes, value, expirySet, expiresAt);
        }

        public Change expiresAt(OffsetDateTime value) {
            return new Change(name, description, active, scopes, resources, true, value);
        }
    }

    public CredentialRules rules() {
        return rules;
    }

    // ------------------------------------------------------------------------------------------------ creating

    /**
     * Creates a credential for {@code owner}: a personal token for a user, a robot for an organization. With
     * {@code uniqueName}, a name the owner already uses (on a credential that is not deleted) is a conflict.
     */
    public Created create(Account owner, Draft draft, Origin origin, Actor actor, boolean uniqueName) {
        Credential.Kind kind = owner.isOrg() ? Credential.Kind.ROBOT : Credential.Kind.PERSONAL;
        OffsetDateTime now = Timestamps.now(clock);
        List<Scope> scopes = List.copyOf(new LinkedHashSet<>(draft.scopes() == null ? List.of() : draft.scopes()));
        List<Resource> resources = draft.resources() == null ? List.of() : List.copyOf(draft.resources());
        Validation v = new Validation();
        checkName(v, draft.name());
        checkDescription(v, draft.description());
        if (kind == Credential.Kind.PERSONAL) {
            checkScopes(v, scopes);
        } else {
            checkResources(v, resources, owner.name());
        }
        v.throwIfInvalid();
        rules.check(draft.expiresAt(), now);

        String secret = TokenSecret.generate(TokenSecret.prefix(kind));
        UUID uuid = draft.uuid() != null ? draft.uuid() : UUID.randomUUID();
        OffsetDateTime expires = draft.expiresAt() == null ? null : Timestamps.at(draft.expiresAt().toInstant());
        Credential created = jdbi.inTransaction(h -> {
            lockOwner(h, owner.id());
            if (uniqueName && nameTaken(h, owner.id(), draft.name(), null)) {
                throw new DomainException.Conflict(Reason.NAME_TAKEN,
                        "A credential named '" + draft.name() + "' already exists.");
            }
            long live = h.createQuery("SELECT COUNT(*) FROM credentials c WHERE c.owner_id = :o AND NOT "
                            + CredentialRows.REVOKED)
                    .bind("o", owner.id()).bind("now", now).mapTo(Long.class).one();
            if (live >= MAX_LIVE_PER_OWNER) {
                throw new DomainException.Conflict(Reason.CREDENTIAL_LIMIT,
                        "An account may hold at most " + MAX_LIVE_PER_OWNER + " live credentials.");
            }
            long id = UniqueViolation.asConflict("a credential with this id already exists", () -> h.createUpdate(
                            "INSERT INTO credentials (uuid, owner_id, kind, secret_sha256, label, description,"
                                    + " scopes, client_id, creator_id, creator_name, creator_ip, creator_ua,"
                                    + " generated_by, is_active, created_at, expires_at)"
                                    + " VALUES (:uuid, :owner, :kind, :hash, :name, :description, :scopes, :client,"
                                    + " :creator, :creatorName, :ip, :ua, 'manual', :active, :at, :exp)")
                    .bind("uuid", uuid).bind("owner", owner.id()).bind("kind", kindName(kind))
                    .bind("hash", TokenSecret.sha256(secret)).bind("name", draft.name())
                    .bind("description", Nulls.text(draft.description()))
                    .bind("scopes", CredentialRows.scopes(scopes)).bind("client", origin.clientId())
                    .bind("creator", Nulls.bigint(actor.accountId())).bind("creatorName", actor.name())
                    .bind("ip", origin.ip() == null ? "" : truncate(origin.ip(), 64))
                    .bind("ua", origin.userAgent() == null ? "" : truncate(origin.userAgent(), 512))
                    .bind("active", draft.active()).bind("at", now).bind("exp", Nulls.timestamp(expires))
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
            CredentialRows.writeResources(h, id, resources);
            Credential c = CredentialRows.one(h, "c.id = :id", "id", id, false).orElseThrow();
            record(h, c, Verb.CREATE, actor, describe(c));
            changed(h, uuid);
            return c;
        });
        return new Created(created, secret);
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** The credentials a query selects, one page of them, with the totals. */
    public Page list(CredentialQuery q) {
        OffsetDateTime now = Timestamps.now(clock);
        StringBuilder where = new StringBuilder(" WHERE c.kind = :kind");
        Map<String, Object> binds = new LinkedHashMap<>();
        binds.put("kind", kindName(q.kind));
        binds.put("now", now);
        if (q.ownerId != null) {
            where.append(" AND c.owner_id = :owner");
            binds.put("owner", q.ownerId);
        }
        if (!q.includeDeleted) {
            where.append(" AND NOT c.deleted");
        }
        if (q.revoked != null) {
            where.append(q.revoked ? " AND " : " AND NOT ").append(CredentialRows.REVOKED);
        }
        if (q.usable != null) {
            where.append(q.usable ? " AND " : " AND NOT ").append(CredentialRows.USABLE);
        }
        bound(where, binds, "c.created_at <=", "createdBefore", q.createdBefore);
        bound(where, binds, "c.created_at >=", "createdAfter", q.createdAfter);
        bound(where, binds, "c.last_used <=", "lastUsedBefore", q.lastUsedBefore);
        bound(where, binds, "c.last_used >=", "lastUsedAfter", q.lastUsedAfter);
        bound(where, binds, "c.expires_at <", "expiresBefore", q.expiresBefore);
        bound(where, binds, "c.expires_at >=", "expiresAfter", q.expiresAfter);
        if (q.nameContains != null) {
            where.append(" AND LOWER(c.label) LIKE :contains ESCAPE '!'");
            binds.put("contains", Like.containing(q.nameContains));
        }
        if (q.nameIs != null) {
            where.append(" AND LOWER(c.label) = :is");
            binds.put("is", q.nameIs.toLowerCase(Locale.ROOT));
        }
        return jdbi.withHandle(h -> {
            String active = q.countActive ? "SUM(CASE WHEN c.is_active AND NOT " + CredentialRows.REVOKED
                    + " THEN 1 ELSE 0 END)" : "0";
            Query count = h.createQuery("SELECT COUNT(*) AS total, " + active + " AS active FROM credentials c"
                    + where);
            binds.forEach(count::bind);
            Map<String, Object> totals = count.mapToMap().one();
            // The page's ids first, from the credentials alone, so that only those rows are joined and read whole.
            Query ids = h.createQuery("SELECT c.id FROM credentials c" + where + " ORDER BY " + q.sort.sql
                    + " LIMIT :limit OFFSET :offset");
            binds.forEach(ids::bind);
            List<Long> pageIds = ids.bind("limit", q.limit).bind("offset", q.offset).mapTo(Long.class).list();
            Number activeCount = (Number) totals.get("active");
            return new Page(((Number) totals.get("total")).longValue(),
                    activeCount == null ? 0 : activeCount.longValue(),
                    CredentialRows.byIds(h, pageIds));
        });
    }

    public Optional<Credential> find(UUID uuid) {
        return jdbi.withHandle(h -> CredentialRows.one(h, "c.uuid = :u", "u", uuid, false));
    }

    public Optional<Credential> findById(long id) {
        return jdbi.withHandle(h -> CredentialRows.one(h, "c.id = :id", "id", id, false));
    }

    // ------------------------------------------------------------------------------------------------ changing

    /** Applies a change; a revoked credential cannot be switched back on, and its expiry follows the rules. */
    public Credential update(Credential credential, Change change, Actor actor) {
        OffsetDateTime now = Timestamps.now(clock);
        Validation v = new Validation();
        if (change.name() != null) {
            checkName(v, change.name());
        }
        checkDescription(v, change.description());
        if (change.scopes() != null) {
            checkScopes(v, change.scopes());
        }
        if (change.resources() != null) {
            checkResources(v, change.resources(), credential.ownerName());
        }
        v.throwIfInvalid();
        if (change.expirySet()) {
            rules.check(change.expiresAt(), now);
        }
        Credential updated = jdbi.inTransaction(h -> {
            Credential current = locked(h, credential.id());
            if (Boolean.TRUE.equals(change.active()) && current.isRevoked(now)) {
                throw new DomainException.Invalid(Reason.CREDENTIAL_REVOKED, "active",
                        "A revoked credential cannot be reactivated.");
            }
            String name = change.name() == null ? current.name() : change.name();
            boolean active = change.active() == null ? current.active() : change.active();
            h.createUpdate("UPDATE credentials SET label = :name, description = :d, is_active = :a, scopes = :s,"
                            + " expires_at = :e, expiry_warned_days = CASE WHEN :expiryChanged THEN NULL"
                            + " ELSE expiry_warned_days END WHERE id = :id")
                    .bind("name", name)
                    .bind("d", Nulls.text(change.description() == null ? current.description() : change.description()))
                    .bind("a", active && !current.isRevoked(now))
                    .bind("s", CredentialRows.scopes(change.scopes() == null ? current.scopes()
                            : List.copyOf(new LinkedHashSet<>(change.scopes()))))
                    .bind("e", Nulls.timestamp(change.expirySet() ? change.expiresAt() : current.expiresAt()))
                    .bind("expiryChanged", change.expirySet())
                    .bind("id", current.id()).execute();
            if (change.resources() != null) {
                CredentialRows.writeResources(h, current.id(), change.resources());
            }
            Credential c = CredentialRows.one(h, "c.id = :id", "id", current.id(), false).orElseThrow();
            Map<String, String> data = describe(c);
            data.put("is_active", String.valueOf(c.active()));
            if (!c.name().equals(current.name())) {
                data.put("previous_label", current.name());
            }
            record(h, c, Verb.UPDATE, actor, data);
            changed(h, c.uuid());
            return c;
        });
        return updated;
    }

    /**
     * Revokes a credential at once, ending any grace window. With {@code delete} it is also deleted (hidden where
     * deleting APIs list credentials). Revoking a revoked credential again changes nothing.
     *
     * @param reason why, for the audit record (for example {@code leaked}); null for the owner's own decision
     */
    public void revoke(Credential credential, boolean delete, Actor actor, String reason) {
        OffsetDateTime now = Timestamps.now(clock);
        jdbi.useTransaction(h -> {
            Credential current = locked(h, credential.id());
            if (current.isRevoked(now) && (current.deleted() || !delete)) {
                return;
            }
            h.createUpdate("UPDATE credentials SET revoked_at = CASE WHEN revoked_at IS NULL OR revoked_at > :now"
                            + " THEN :now ELSE revoked_at END, grace_pending = FALSE, is_active = FALSE,"
                            + " deleted = :deleted WHERE id = :id")
                    .bind("now", now).bind("deleted", delete || current.deleted()).bind("id", current.id()).execute();
            Map<String, String> data = describe(current);
            if (reason != null) {
                data.put("reason", reason);
            }
            record(h, current, delete ? Verb.DELETE : Verb.REVOKE, actor, data);
            changed(h, current.uuid());
        });
    }

    /**
     * Removes a deleted credential for good, so that its uuid can be given to a new one (IONOS's create-or-replace
     * of a deleted token's id). Only the owner's deleted credentials can be purged.
     */
    public void purgeDeleted(Credential credential) {
        if (!credential.deleted()) {
            throw new IllegalArgumentException("only deleted credentials are purged");
        }
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM credentials WHERE id = :id AND deleted").bind("id", credential.id()).execute();
            changed(h, credential.uuid());
        });
    }

    /**
     * Replaces a credential by a new one with a new secret: same owner, name, description, scopes and resources,
     * linked to it. The old secret keeps working for {@code grace} (at most a day), then stops; a credential that
     * was already rotated or revoked cannot be rotated.
     *
     * @param expiresAt the new one's expiry (null: none), checked against the rules
     */
    public Created rotate(Credential credential, OffsetDateTime expiresAt, Duration grace, Origin origin,
                          Actor actor) {
        CredentialRules.checkGrace(grace);
        OffsetDateTime now = Timestamps.now(clock);
        rules.check(expiresAt, now);
        String secret = TokenSecret.generate(TokenSecret.prefix(credential.kind()));
        UUID uuid = UUID.randomUUID();
        Credential rotated = jdbi.inTransaction(h -> {
            Credential old = locked(h, credential.id());
            if (old.isRetired() || old.deleted()) {
                throw new DomainException.Invalid(Reason.CREDENTIAL_REVOKED, "Token already revoked");
            }
            long id = h.createUpdate("INSERT INTO credentials (uuid, owner_id, kind, secret_sha256, label,"
                            + " description, scopes, client_id, creator_id, creator_name, creator_ip, creator_ua,"
                            + " generated_by, is_active, created_at, expires_at, rotated_from_id)"
                            + " SELECT :uuid, owner_id, kind, :hash, label, description, scopes, :client, :creator,"
                            + " :creatorName, :ip, :ua, generated_by, is_active, :at, :exp, id"
                            + " FROM credentials WHERE id = :old")
                    .bind("uuid", uuid).bind("hash", TokenSecret.sha256(secret)).bind("client", origin.clientId())
                    .bind("creator", Nulls.bigint(actor.accountId())).bind("creatorName", actor.name())
                    .bind("ip", origin.ip() == null ? "" : truncate(origin.ip(), 64))
                    .bind("ua", origin.userAgent() == null ? "" : truncate(origin.userAgent(), 512))
                    .bind("at", now)
                    .bind("exp", Nulls.timestamp(expiresAt == null ? null : Timestamps.at(expiresAt.toInstant())))
                    .bind("old", old.id()).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            CredentialRows.writeResources(h, id, old.resources());
            h.createUpdate("UPDATE credentials SET revoked_at = :until, grace_pending = :pending WHERE id = :id")
                    .bind("until", now.plus(grace)).bind("pending", !grace.isZero()).bind("id", old.id()).execute();
            Credential c = CredentialRows.one(h, "c.id = :id", "id", id, false).orElseThrow();
            Map<String, String> data = describe(c);
            data.put("rotated_from", old.uuid().toString());
            data.put("grace_seconds", String.valueOf(grace.toSeconds()));
            record(h, c, Verb.ROTATE, actor, data);
            changed(h, old.uuid());
            return c;
        });
        return new Created(rotated, secret);
    }

    /**
     * Reuse detection: {@code revoked} was used after it was revoked, so its secret may be in the wrong hands, and
     * every live credential rotated from it (directly or down the chain) is revoked. Returns how many were.
     */
    public int revokeDescendants(Credential revoked, Actor actor) {
        List<Credential> descendants = jdbi.withHandle(h -> {
            List<Credential> found = new ArrayList<>();
            List<Long> frontier = List.of(revoked.id());
            while (!frontier.isEmpty() && found.size() < MAX_FAMILY) {
                List<Credential> children = CredentialRows.list(h.createQuery(CredentialRows.SELECT
                        + " WHERE c.rotated_from_id IN (<ids>)").bindList("ids", frontier), h);
                found.addAll(children);
                frontier = children.stream().map(Credential::id).toList();
            }
            return found;
        });
        OffsetDateTime now = Timestamps.now(clock);
        int revokedCount = 0;
        for (Credential c : descendants) {
            if (!c.isRevoked(now)) {
                revoke(c, false, actor, "reuse of " + revoked.uuid());
                revokedCount++;
            }
        }
        return revokedCount;
    }

    /**
     * Ends the grace windows that have run out: the old secrets already stopped working when their time came, and
     * this audits it, once, whichever node gets there first. Run periodically.
     */
    public int finishGraceWindows() {
        OffsetDateTime now = Timestamps.now(clock);
        List<Credential> ended = jdbi.withHandle(h -> CredentialRows.list(h.createQuery(CredentialRows.SELECT
                + " WHERE c.grace_pending AND c.revoked_at <= :now").bind("now", now), h));
        int finished = 0;
        for (Credential c : ended) {
            boolean mine = jdbi.inTransaction(h -> {
                int claimed = h.createUpdate("UPDATE credentials SET grace_pending = FALSE WHERE id = :id"
                        + " AND grace_pending").bind("id", c.id()).execute();
                if (claimed == 1) {
                    record(h, c, Verb.GRACE_END, Actor.SYSTEM, describe(c));
                    changed(h, c.uuid());
                }
                return claimed == 1;
            });
            if (mine) {
                finished++;
            }
        }
        return finished;
    }

    // ------------------------------------------------------------------------------------------------ using

    /**
     * The credential a secret belongs to, in whatever state (revoked, expired…): for reuse detection and leak
     * reports. A candidate that is not well formed is refused without touching the database.
     */
    public Optional<Credential> identify(String secret) {
        if (!TokenSecret.isWellFormed(secret, TokenSecret.PAT_PREFIX)
                && !TokenSecret.isWellFormed(secret, TokenSecret.ROBOT_PREFIX)) {
            return Optional.empty();
        }
        Optional<Credential> found = jdbi.withHandle(h -> CredentialRows.one(h, "c.secret_sha256 = :h", "h",
                TokenSecret.sha256(secret), false));
        found.ifPresent(c -> byUuid.put(c.uuid(), found));
        return found;
    }

    /** The credential a secret belongs to, if it authenticates now. Lookup is by SHA-256, never a slow hash. */
    public Optional<Credential> authenticate(String secret) {
        return identify(secret).filter(c -> c.isUsable(Timestamps.now(clock)));
    }

    /**
     * The credential by uuid if it still authenticates now, for what was derived from one (sessions, registry
     * tokens). Cached for at most one second, and forgotten on every node as soon as it changes.
     */
    public Optional<Credential> usable(UUID uuid) {
        Optional<Credential> found = byUuid.get(uuid, u -> jdbi.withHandle(h -> CredentialRows.one(h, "c.uuid = :u",
                "u", u, false)));
        return found.filter(c -> c.isUsable(Timestamps.now(clock)));
    }

    /**
     * Records a use from {@code ip}: the time and the address among the last five, written at most once a minute
     * per credential, in the background; the request never waits for the write, nor fails with it.
     */
    public void touch(Credential credential, String ip) {
        if (lastUsedWritten.getIfPresent(credential.uuid()) != null) {
            return;
        }
        lastUsedWritten.put(credential.uuid(), Boolean.TRUE);
        OffsetDateTime now = Timestamps.now(clock);
        bookkeeping.submit("last use of a credential", () -> jdbi.useTransaction(h -> {
            Optional<String> stored = h.createQuery("SELECT last_used_ips FROM credentials WHERE id = :id FOR UPDATE")
                    .bind("id", credential.id()).mapTo(String.class).findOne();
            if (stored.isEmpty()) {
                return;
            }
            List<String> ips = ip == null || ip.isEmpty() ? CredentialRows.addresses(stored.get())
                    : CredentialRows.withAddress(CredentialRows.addresses(stored.get()), truncate(ip, 64));
            h.createUpdate("UPDATE credentials SET last_used = :now, last_used_ips = :ips WHERE id = :id")
                    .bind("now", now).bind("ips", String.join(",", ips)).bind("id", credential.id()).execute();
        }));
    }

    /**
     * Revokes every credential among {@code secrets} that exists and still works, audited in its owner's log as
     * leaked. Malformed candidates are dropped by their checksum without a lookup. Returns how many were revoked;
     * callers must not tell the reporter.
     */
    public int revokeLeaked(List<String> secrets) {
        OffsetDateTime now = Timestamps.now(clock);
        int revoked = 0;
        for (String secret : new LinkedHashSet<>(secrets)) {
            Optional<Credential> found = identify(secret);
            if (found.isPresent() && !found.get().isRevoked(now)) {
                revoke(found.get(), false, Actor.SYSTEM, "leaked");
                revoked++;
            }
        }
        return revoked;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private enum Verb { CREATE, UPDATE, DELETE, REVOKE, ROTATE, GRACE_END }

    private void record(Handle h, Credential c, Verb verb, Actor actor, Map<String, String> data) {
        AuditAction action = c.isRobot() ? switch (verb) {
            case CREATE -> AuditAction.ORG_ACCESS_TOKEN_CREATE;
            case UPDATE -> AuditAction.ORG_ACCESS_TOKEN_UPDATE;
            case DELETE -> AuditAction.ORG_ACCESS_TOKEN_DELETE;
            case REVOKE -> AuditAction.ORG_ACCESS_TOKEN_REVOKE;
            case ROTATE -> AuditAction.ORG_ACCESS_TOKEN_ROTATE;
            case GRACE_END -> AuditAction.ORG_ACCESS_TOKEN_GRACE_END;
        } : switch (verb) {
            case CREATE -> AuditAction.USER_ACCESS_TOKEN_CREATE;
            case UPDATE -> AuditAction.USER_ACCESS_TOKEN_UPDATE;
            case DELETE -> AuditAction.USER_ACCESS_TOKEN_DELETE;
            case REVOKE -> AuditAction.USER_ACCESS_TOKEN_REVOKE;
            case ROTATE -> AuditAction.USER_ACCESS_TOKEN_ROTATE;
            case GRACE_END -> AuditAction.USER_ACCESS_TOKEN_GRACE_END;
        };
        audit.record(h, new LogOwner(c.ownerId(), c.ownerName()), action, c.name(), actor, data);
    }

    /** What the audit log says of a credential: never its secret. */
    private static Map<String, String> describe(Credential c) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("uuid", c.uuid().toString());
        if (c.isRobot()) {
            data.put("resources", c.resources().stream().map(r -> r.path() + ":" + r.actions().stream().sorted()
                    .map(a -> a.wireName()).collect(Collectors.joining("+"))).collect(Collectors.joining(",")));
        } else {
            data.put("scopes", c.scopes().stream().map(Scope::wireName).collect(Collectors.joining(",")));
        }
        data.put("expires_at", c.expiresAt() == null ? "never" : c.expiresAt().toString());
        return data;
    }

    /** Makes every node forget what it cached of the credential once {@code h}'s transaction commits. */
    private void changed(Handle h, UUID uuid) {
        invalidations.publish(h, TOPIC, uuid.toString());
    }

    private void forget(UUID uuid) {
        byUuid.invalidate(uuid);
        lastUsedWritten.invalidate(uuid);
    }

    private static Credential locked(Handle h, long id) {
        return CredentialRows.one(h, "c.id = :id", "id", id, true)
                .orElseThrow(() -> new DomainException.NotFound("token not found"));
    }

    /** Serialises creations per owner, so that the limit and name uniqueness hold under concurrency. */
    private static void lockOwner(Handle h, long ownerId) {
        boolean exists = h.createQuery("SELECT id FROM accounts WHERE id = :id FOR UPDATE").bind("id", ownerId)
                .mapTo(Long.class).findOne().isPresent();
        if (!exists) {
            throw new DomainException.NotFound("account not found");
        }
    }

    private static boolean nameTaken(Handle h, long ownerId, String name, Long except) {
        return h.createQuery("SELECT COUNT(*) FROM credentials WHERE owner_id = :o AND label = :n AND NOT deleted"
                        + " AND id <> :except")
                .bind("o", ownerId).bind("n", name).bind("except", except == null ? -1L : except)
                .mapTo(Long.class).one() > 0;
    }

    private static void checkName(Validation v, String name) {
        v.check(name != null && !name.isEmpty(), "name", "This field is required.");
        v.check(name == null || name.length() <= MAX_NAME, "name",
                "Ensure this field has no more than " + MAX_NAME + " characters.");
    }

    private static void checkDescription(Validation v, String description) {
        v.check(description == null || description.length() <= MAX_DESCRIPTION, "description",
                "Ensure this field has no more than " + MAX_DESCRIPTION + " characters.");
    }

    private static void checkScopes(Validation v, List<Scope> scopes) {
        v.check(!scopes.isEmpty(), "scopes", "This field is required.");
        v.check(scopes.size() <= MAX_SCOPES, "scopes", "Ensure this field has no more than " + MAX_SCOPES
                + " elements.");
    }

    /** A robot may have no resource yet (IONOS creates tokens without scopes): it can then do nothing. */
    private static void checkResources(Validation v, List<Resource> resources, String namespace) {
        v.check(resources.size() <= MAX_RESOURCES, "resources", "Ensure this field has no more than "
                + MAX_RESOURCES + " elements.");
        if (resources.size() <= MAX_RESOURCES) {
            for (Resource r : resources) {
                v.add("resources", Resource.problem(r.kind(), r.path(), namespace));
                v.check(!r.actions().isEmpty(), "resources", "A resource needs at least one action.");
            }
        }
    }

    private static void bound(StringBuilder where, Map<String, Object> binds, String condition, String name,
                              OffsetDateTime value) {
        if (value != null) {
            where.append(" AND ").append(condition).append(" :").append(name);
            binds.put(name, value);
        }
    }

    private static String kindName(Credential.Kind kind) {
        return kind == Credential.Kind.ROBOT ? "robot" : "personal";
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
