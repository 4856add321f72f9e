package dev.wharf.auth;

import dev.wharf.core.Timestamps;
import dev.wharf.credentials.TokenSecret;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Signed-in browser sessions, in the database so that every node knows them. A session is a random secret (the
 * cookie), stored as its SHA-256 only, with the account it signs in, a CSRF token of its own, and a fixed end. An
 * account keeps at most {@link #MAX_PER_ACCOUNT} sessions (a new one ends the oldest), and ended ones are deleted as
 * new ones start, so the table grows with people, never with requests.
 */
public final class WebSessions {
    public static final int MAX_PER_ACCOUNT = 20;
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Duration lifetime;
    private final Clock clock;

    public WebSessions(Jdbi jdbi, Duration lifetime, Clock clock) {
        this.jdbi = jdbi;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A session that is running: whose it is and the token its forms must carry. */
    public record Session(long accountId, String csrfToken, OffsetDateTime expiresAt) {
    }

    /** A new session: the secret for the cookie (shown to the browser only) and the session itself. */
    public record Started(String secret, Session session) {
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** Starts a session for {@code accountId}, ending its oldest beyond the cap and every expired one. */
    public Started start(long accountId) {
        String secret = random();
        OffsetDateTime now = Timestamps.now(clock);
        Session session = new Session(accountId, random(), now.plus(lifetime));
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM web_sessions WHERE expires_at <= :now").bind("now", now).execute();
            h.createUpdate("INSERT INTO web_sessions (secret_hash, account_id, csrf_token, created_at, expires_at) "
                            + "VALUES (:hash, :account, :csrf, :now, :expires)")
                    .bind("hash", TokenSecret.sha256(secret)).bind("account", accountId)
                    .bind("csrf", session.csrfToken()).bind("now", now).bind("expires", session.expiresAt())
                    .execute();
            h.createUpdate("DELETE FROM web_sessions WHERE account_id = :account AND secret_hash NOT IN ("
                            + "SELECT secret_hash FROM web_sessions WHERE account_id = :account "
                            + "ORDER BY created_at DESC, secret_hash FETCH FIRST " + MAX_PER_ACCOUNT + " ROWS ONLY)")
                    .bind("account", accountId).execute();
        });
        return new Started(secret, session);
    }

    /** The running session a cookie's secret names; empty for an unknown, ended or malformed one. */
    public Optional<Session> find(String secret) {
        if (!wellFormed(secret)) {
            return Optional.empty();
        }
        OffsetDateTime now = Timestamps.now(clock);
        return jdbi.withHandle(h -> h.createQuery("SELECT account_id, csrf_token, expires_at FROM web_sessions "
                        + "WHERE secret_hash = :hash AND expires_at > :now")
                .bind("hash", TokenSecret.sha256(secret)).bind("now", now)
                .map((rs, ctx) -> new Session(rs.getLong(1), rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class)))
                .findOne());
    }

    /** Ends the session a cookie's secret names, if there is one. */
    public void end(String secret) {
        if (wellFormed(secret)) {
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM web_sessions WHERE secret_hash = :hash")
                    .bind("hash", TokenSecret.sha256(secret)).execute());
        }
    }

    private static boolean wellFormed(String secret) {
        return secret != null && secret.length() == SECRET_BYTES * 2 && secret.chars().allMatch(
                c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static String random() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
