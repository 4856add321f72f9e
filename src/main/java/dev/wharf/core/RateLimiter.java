package dev.wharf.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * At most {@code limit} counted calls per key (a client address, a username and address) in each window, counted
 * in the database so that every node on it shares the count. A key's window opens with its first counted call and
 * lasts {@code window}.
 *
 * <p>Whether a call still fits is decided by the one statement that counts it (an {@code UPDATE} whose condition is
 * the limit), never read first and written after, so parallel calls through any number of nodes cannot get past
 * the limit. Rows are named by a hash, so what a client sends never makes one larger, and their number is bounded:
 * now and then a node deletes the windows that have ended and, past {@link #MAX_ROWS}, the ones closest to their
 * end, which can only give a forgotten key a fresh window, never refuse anyone more.
 */
public final class RateLimiter {
    /** The rows all limits together keep, past the windows that have ended. */
    static final int MAX_ROWS = 200_000;
    /** Windows this node opens between two cleanups. */
    private static final int CLEANUP_EVERY = 256;
    private static final int ATTEMPTS = 5;

    private final Jdbi jdbi;
    private final String name;
    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final AtomicInteger opened = new AtomicInteger();

    /** @param name what is limited, unique among the limiters ({@code sign-in}, {@code leak-reports}) */
    public RateLimiter(Jdbi jdbi, String name, int limit, Duration window, Clock clock) {
        this.jdbi = jdbi;
        this.name = name;
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /**
     * Counts one call of {@code key}.
     *
     * @throws DomainException.RateLimited when the key has used up its window
     */
    public void acquire(String key) {
        OffsetDateTime now = Timestamps.now(clock);
        Optional<Instant> full = count(bucket(key), limit, now);
        if (full.isPresent()) {
            throw refusal(now.toInstant(), full.get());
        }
    }

    /** Counts one call of {@code key} whatever its window holds already (a failure found after the fact). */
    public void count(String key) {
        var unused = count(bucket(key), Integer.MAX_VALUE, Timestamps.now(clock));
    }

    /**
     * Refuses when {@code key} has used up its window, without counting a call.
     *
     * @throws DomainException.RateLimited when it has
     */
    public void requireRemaining(String key) {
        OffsetDateTime now = Timestamps.now(clock);
        Optional<OffsetDateTime> full = jdbi.withHandle(h -> h.createQuery("SELECT window_ends FROM rate_counters"
                        + " WHERE bucket = :b AND window_ends > :now AND hits >= :limit")
                .bind("b", bucket(key)).bind("now", now).bind("limit", limit)
                .mapTo(OffsetDateTime.class).findOne());
        if (full.isPresent()) {
            throw refusal(now.toInstant(), full.get().toInstant());
        }
    }

    /** Takes back one counted call of {@code key} (one that turned out not to count). */
    public void release(String key) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE rate_counters SET hits = hits - 1 WHERE bucket = :b AND hits > 0")
                .bind("b", bucket(key)).execute());
    }

    /** Forgets the window of {@code key}: its next call opens a new one. */
    public void reset(String key) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM rate_counters WHERE bucket = :b")
                .bind("b", bucket(key)).execute());
    }

    /**
     * Deletes the windows that have ended and, if more than {@link #MAX_ROWS} remain, those closest to their end.
     * Returns how many rows went.
     */
    public int cleanUp() {
        OffsetDateTime now = Timestamps.now(clock);
        return jdbi.withHandle(h -> {
            int deleted = h.createUpdate("DELETE FROM rate_counters WHERE window_ends <= :now").bind("now", now)
                    .execute();
            long excess = h.createQuery("SELECT COUNT(*) FROM rate_counters").mapTo(Long.class).one() - MAX_ROWS;
            if (excess > 0) {
                deleted += h.createUpdate("DELETE FROM rate_counters WHERE bucket IN (SELECT bucket FROM"
                                + " rate_counters ORDER BY window_ends LIMIT :excess)")
                        .bind("excess", excess).execute();
            }
            return deleted;
        });
    }

    /**
     * Counts a call in the bucket's window if it holds fewer than {@code max}: in the current window, or in a new
     * one when it has ended or there is none. Returns the end of the window when it was full.
     */
    private Optional<Instant> count(String bucket, int max, OffsetDateTime now) {
        OffsetDateTime ends = now.plus(window);
        for (int attempt = 1; ; attempt++) {
            int counted = jdbi.withHandle(h -> h.createUpdate("UPDATE rate_counters SET"
                            + " hits = CASE WHEN window_ends <= :now THEN 1 ELSE hits + 1 END,"
                            + " window_ends = CASE WHEN window_ends <= :now THEN :ends ELSE window_ends END"
                            + " WHERE bucket = :b AND (window_ends <= :now OR hits < :max)")
                    .bind("b", bucket).bind("now", now).bind("ends", ends).bind("max", max).execute());
            if (counted == 1) {
                return Optional.empty();
            }
            Optional<OffsetDateTime> current = jdbi.withHandle(h -> h.createQuery(
                            "SELECT window_ends FROM rate_counters WHERE bucket = :b")
                    .bind("b", bucket).mapTo(OffsetDateTime.class).findOne());
            if (current.isPresent() && current.get().isAfter(now)) {
                return Optional.of(current.get().toInstant());
            }
            if (current.isEmpty() && open(bucket, ends)) {
                return Optional.empty();
            }
            // Another call opened the window first, or it ended meanwhile: count again, in that window.
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException("rate counter " + name + " kept changing under " + ATTEMPTS
                        + " attempts to count a call");
            }
        }
    }

    /** Opens the bucket's first window with one call; false when another call opened it first. */
    private boolean open(String bucket, OffsetDateTime ends) {
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO rate_counters (bucket, hits, window_ends)"
                    + " VALUES (:b, 1, :ends)").bind("b", bucket).bind("ends", ends).execute());
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return false;
            }
            throw e;
        }
        if (opened.incrementAndGet() % CLEANUP_EVERY == 0) {
            Background.logFailure("cleaning up the rate counters", this::cleanUp);
        }
        return true;
    }

    private DomainException.RateLimited refusal(Instant now, Instant reset) {
        long retryAfter = Math.max(1, Duration.between(now, reset).toSeconds() + 1);
        return new DomainException.RateLimited(limit, retryAfter, reset.getEpochSecond() + 1);
    }

    /** The row of {@code key} in this limit: a hash, so its size never depends on what a client sent. */
    private String bucket(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((name + "\n" + key).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
