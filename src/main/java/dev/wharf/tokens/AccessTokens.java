package dev.wharf.tokens;

import dev.wharf.accounts.Account;
import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.Bookkeeping;
import dev.wharf.core.DomainException;
import dev.wharf.core.Nulls;
import dev.wharf.core.ShortCache;
import dev.wharf.core.Timestamps;
import dev.wharf.core.Validation;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Personal access tokens: one store behind every dialect (Docker Hub, GitLab, registry sign-in).
 * Secrets are generated here, returned once, and stored only as SHA-256.
 */
public final class AccessTokens {
    public static final int MAX_LABEL = 100;
    private static final String COLUMNS = "id, uuid, owner_id, label, scopes, client_id, creator_ip, creator_ua,"
            + " generated_by, is_active, created_at, last_used, expires_at";
    /** Bounds how stale another node's view of a revoked token can be; this node invalidates at once. */
    private static final Duration STATE_CACHE_TTL = Duration.ofSeconds(1);
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    /** Most scopes a token may list; there are only four. */
    private static final int MAX_SCOPES = 16;
    private static final long CACHE_BYTES = 8L * 1024 * 1024;

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final Bookkeeping bookkeeping;
    private final ShortCache<UUID, Optional<AccessToken>> byUuid;
    /** Tokens whose last use was written within the last minute: their next uses need no write. */
    private final ShortCache<UUID, Boolean> lastUsedWritten;

    public AccessTokens(Jdbi jdbi, AuditLog audit, Clock clock, Bookkeeping bookkeeping) {
        this.jdbi = jdbi;
        this.audit = audit;
        this.clock = clock;
        this.bookkeeping = bookkeeping;
        this.byUuid = new ShortCache<>(STATE_CACHE_TTL, CACHE_BYTES, (k, v) -> 1200, clock);
        this.lastUsedWritten = new ShortCache<>(LAST_USED_RESOLUTION, CACHE_BYTES, (k, v) -> 100, clock);
    }

    /** A new token and its secret; the secret exists only in this object and is never stored. */
    public record Created(AccessToken token, String secret) {
    }

    /** One page of an owner's tokens, newest first. */
    public record Page(long count, long activeCount, List<AccessToken> results) {
    }

    /** Where a token was created from, for {@code creator_ip} and {@code creator_ua}. */
    public record Origin(String ip, String userAgent, UUID credential) {
    }

    public Created create(Account owner, String label, List<String> scopes, OffsetDateTime expiresAt, Origin origin) {
        OffsetDateTime now = Timestamps.now(clock);
        Validation v = new Validation();
        checkLabel(v, label);
        v.check(scopes != null && !scopes.isEmpty(), "scopes", "This field is required.");
        v.check(scopes == null || scopes.size() <= MAX_SCOPES, "scopes",
                "Ensure this field has no more than " + MAX_SCOPES + " elements.");
        if (scopes != null && scopes.size() <= MAX_SCOPES) {
            for (String s : scopes) {
                v.check(Scope.parse(s) != null, "scopes", "Invalid scope '" + s + "'. Must be one of: "
                        + String.join(", ", Arrays.stream(Scope.values()).map(Scope::wireName).toList()) + ".");
            }
        }
        v.check(expiresAt == null || expiresAt.isAfter(now), "expires_at", "Must be in the future.");
        v.throwIfInvalid();

        List<String> distinct = List.copyOf(new LinkedHashSet<>(scopes));
        String secret = TokenSecret.generate(TokenSecret.PAT_PREFIX);
        UUID uuid = UUID.randomUUID();
        OffsetDateTime expires = expiresAt == null ? null : Timestamps.at(expiresAt.toInstant());
        String ua = origin.userAgent() == null ? "" : truncate(origin.userAgent(), 512);
        String ip = origin.ip() == null ? "" : origin.ip();
        long id = jdbi.inTransaction(h -> {
            long newId = h.createUpdate("INSERT INTO access_tokens (uuid, owner_id, secret_sha256, label, scopes,"
                            + " client_id, creator_ip, creator_ua, generated_by, is_active, created_at, expires_at)"
                            + " VALUES (:uuid, :owner, :hash, :label, :scopes, 'HUB', :ip, :ua, 'manual', TRUE, :at, :exp)")
                    .bind("uuid", uuid).bind("owner", owner.id()).bind("hash", TokenSecret.sha256(secret))
                    .bind("label", label).bind("scopes", String.join(" ", distinct)).bind("ip", ip).bind("ua", ua)
                    .bind("at", now).bind("exp", Nulls.timestamp(expires))
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            audit.record(h, owner.logOwner(), AuditAction.USER_ACCESS_TOKEN_CREATE, label,
                    new Actor(owner.id(), owner.name(), origin.credential()), auditData(uuid, distinct, expires));
            return newId;
        });
        AccessToken token = new AccessToken(id, uuid, owner.id(), label, distinct, "HUB", ip, ua, "manual", true, now,
                null, expires);
        return new Created(token, secret);
    }

    public Page list(Account owner, int page, int pageSize) {
        return jdbi.withHandle(h -> {
            Map<String, Object> counts = h.createQuery("SELECT COUNT(*) AS total,"
                            + " SUM(CASE WHEN is_active THEN 1 ELSE 0 END) AS active FROM access_tokens WHERE owner_id = :o")
                    .bind("o", owner.id()).mapToMap().one();
            List<AccessToken> rows = h.createQuery("SELECT " + COLUMNS + " FROM access_tokens WHERE owner_id = :o"
                            + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
                    .bind("o", owner.id()).bind("limit", pageSize).bind("offset", (long) (page - 1) * pageSize)
                    .map(AccessTokens::map).list();
            Number active = (Number) counts.get("active");
            return new Page(((Number) counts.get("total")).longValue(), active == null ? 0 : active.longValue(), rows);
        });
    }

    /** The owner's token with this uuid; a foreign or unknown uuid is simply not found. */
    public AccessToken get(Account owner, UUID uuid) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM access_tokens WHERE uuid = :u AND owner_id = :o")
                        .bind("u", uuid).bind("o", owner.id()).map(AccessTokens::map).findOne())
                .orElseThrow(() -> new DomainException.NotFound("token not found"));
    }

    /** Changes only the label and/or the active flag; null leaves a field as it is. */
    public AccessToken update(Account owner, UUID uuid, String label, Boolean active, UUID actorCredential) {
        Validation v = new Validation();
        if (label != null) {
            checkLabel(v, label);
        }
        v.throwIfInvalid();
        AccessToken updated = jdbi.inTransaction(h -> {
            AccessToken current = h.createQuery("SELECT " + COLUMNS + " FROM access_tokens WHERE uuid = :u AND owner_id = :o FOR UPDATE")
                    .bind("u", uuid).bind("o", owner.id()).map(AccessTokens::map).findOne()
                    .orElseThrow(() -> new DomainException.NotFound("token not found"));
            String newLabel = label == null ? current.label() : label;
            boolean newActive = active == null ? current.active() : active;
            h.createUpdate("UPDATE access_tokens SET label = :l, is_active = :a WHERE id = :id")
                    .bind("l", newLabel).bind("a", newActive).bind("id", current.id()).execute();
            Map<String, String> data = new LinkedHashMap<>();
            data.put("uuid", uuid.toString());
            data.put("is_active", String.valueOf(newActive));
            if (!newLabel.equals(current.label())) {
                data.put("previous_label", current.label());
            }
            audit.record(h, owner.logOwner(), AuditAction.USER_ACCESS_TOKEN_UPDATE, newLabel,
                    new Actor(owner.id(), owner.name(), actorCredential), data);
            return new AccessToken(current.id(), uuid, current.ownerId(), newLabel, current.scopes(),
                    current.clientId(), current.creatorIp(), current.creatorUa(), current.generatedBy(), newActive,
                    current.createdAt(), current.lastUsed(), current.expiresAt());
        });
        byUuid.invalidate(uuid);
        return updated;
    }

    public void delete(Account owner, UUID uuid, UUID actorCredential) {
        jdbi.useTransaction(h -> {
            AccessToken current = h.createQuery("SELECT " + COLUMNS + " FROM access_tokens WHERE uuid = :u AND owner_id = :o")
                    .bind("u", uuid).bind("o", owner.id()).map(AccessTokens::map).findOne()
                    .orElseThrow(() -> new DomainException.NotFound("token not found"));
            h.createUpdate("DELETE FROM access_tokens WHERE id = :id").bind("id", current.id()).execute();
            audit.record(h, owner.logOwner(), AuditAction.USER_ACCESS_TOKEN_DELETE, current.label(),
                    new Actor(owner.id(), owner.name(), actorCredential), Map.of("uuid", uuid.toString()));
        });
        byUuid.invalidate(uuid);
        lastUsedWritten.invalidate(uuid);
    }

    /**
     * The usable token this secret belongs to. A candidate that is not well formed is refused without touching the
     * database; lookup is by SHA-256, so no slow hash runs per request.
     */
    public Optional<AccessToken> authenticate(String secret) {
        if (!TokenSecret.isWellFormed(secret, TokenSecret.PAT_PREFIX)) {
            return Optional.empty();
        }
        Optional<AccessToken> token = jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM access_tokens WHERE secret_sha256 = :h")
                .bind("h", TokenSecret.sha256(secret)).map(AccessTokens::map).findOne());
        token.ifPresent(t -> byUuid.put(t.uuid(), Optional.of(t)));
        return token.filter(t -> t.isUsable(Timestamps.now(clock)));
    }

    /**
     * The token by uuid if it still authenticates now, for credentials derived from a token (sessions and registry
     * JWTs). Cached for at most one second, and invalidated at once on this node when the token changes.
     */
    public Optional<AccessToken> usable(UUID uuid) {
        Optional<AccessToken> token = byUuid.get(uuid, u -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM access_tokens WHERE uuid = :u")
                .bind("u", u).map(AccessTokens::map).findOne()));
        return token.filter(t -> t.isUsable(Timestamps.now(clock)));
    }

    /**
     * Records use of a token, writing {@code last_used} at most once a minute per token, in the background: the
     * request that used the token never waits for the write, nor fails with it.
     */
    public void touch(AccessToken token) {
        if (lastUsedWritten.getIfPresent(token.uuid()) != null) {
            return;
        }
        lastUsedWritten.put(token.uuid(), Boolean.TRUE);
        OffsetDateTime now = Timestamps.now(clock);
        bookkeeping.submit("last-used time of a token", () -> jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE access_tokens SET last_used = :now WHERE id = :id"
                                + " AND (last_used IS NULL OR last_used < :threshold)")
                .bind("now", now).bind("id", token.id()).bind("threshold", now.minus(LAST_USED_RESOLUTION))
                .execute()));
    }

    private static void checkLabel(Validation v, String label) {
        v.check(label != null && !label.isEmpty(), "token_label", "This field is required.");
        v.check(label == null || label.length() <= MAX_LABEL, "token_label",
                "Ensure this field has no more than " + MAX_LABEL + " characters.");
    }

    private static Map<String, String> auditData(UUID uuid, List<String> scopes, OffsetDateTime expires) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("uuid", uuid.toString());
        data.put("scopes", String.join(",", scopes));
        data.put("expires_at", expires == null ? "never" : expires.toString());
        return data;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static AccessToken map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new AccessToken(rs.getLong("id"), rs.getObject("uuid", UUID.class), rs.getLong("owner_id"),
                rs.getString("label"), List.of(rs.getString("scopes").split(" ")), rs.getString("client_id"),
                rs.getString("creator_ip"), rs.getString("creator_ua"), rs.getString("generated_by"),
                rs.getBoolean("is_active"), rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("last_used", OffsetDateTime.class), rs.getObject("expires_at", OffsetDateTime.class));
    }
}
