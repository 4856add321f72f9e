package dev.wharf.repositories;

import dev.wharf.core.Bookkeeping;
import dev.wharf.core.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;

/**
 * Counts pulls per repository, tag and manifest, and writes them at most once a minute per manifest (its last-pulled
 * time and the repository's count) and per tag (the tag's count and time): a popular tag pulled thousands of times a
 * minute costs three UPDATEs a minute, and the manifest's time is written once a minute however many tags name it.
 * The first pull of a minute is written at once, later ones by {@link #flushDue} (every minute) and
 * {@link #flushAll} (at shutdown); a crash loses at most a minute of counts, never data.
 *
 * <p>A pull only counts in memory; every write happens on the {@link Bookkeeping} thread, so a database hiccup can
 * neither fail nor slow the pull it rides on. Entries are kept only for manifests that were pulled (they exist) and
 * dropped once written and idle, so the map cannot grow with what clients send.
 */
public final class PullCounter {
    static final Duration RESOLUTION = Duration.ofMinutes(1);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Bookkeeping bookkeeping;
    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();

    public PullCounter(Jdbi jdbi, Clock clock, Bookkeeping bookkeeping) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.bookkeeping = bookkeeping;
    }

    /**
     * What one write covers: a manifest of a repository (tag null: its pulled time and the repository's count), or
     * one tag of it (the tag's count and time).
     */
    private record Key(long repositoryId, long manifestId, String tag) {
    }

    private static final class Pending {
        final AtomicLong count = new AtomicLong();
        final AtomicReference<Instant> lastWrite = new AtomicReference<>(Instant.MIN);
        final AtomicBoolean queued = new AtomicBoolean();
    }

    /** Records one pull of a manifest of a repository, by {@code tag} or (null) by digest. */
    public void pulled(Repository repo, StoredManifest manifest, String tag) {
        count(new Key(repo.id(), manifest.id(), null));
        if (tag != null) {
            count(new Key(repo.id(), manifest.id(), tag));
        }
    }

    private void count(Key key) {
        // Counted inside the map's compute, so that flushDue cannot drop the entry between lookup and count.
        Pending p = pending.compute(key, (k, existing) -> {
            Pending counted = existing == null ? new Pending() : existing;
            counted.count.incrementAndGet();
            return counted;
        });
        if (isDue(p, clock.instant())) {
            queue(key, p);
        }
    }

    /** Writes the counts whose last write is at least a minute old, and forgets entries with nothing to write. */
    public void flushDue() {
        Instant now = clock.instant();
        pending.forEach((key, p) -> {
            if (p.count.get() > 0 && isDue(p, now)) {
                queue(key, p);
            }
        });
        for (Key key : pending.keySet()) {
            pending.computeIfPresent(key, (k, p) -> p.count.get() == 0 && !p.queued.get() && isDue(p, now)
                    ? null : p);
        }
    }

    /** Writes every pending count now, on the caller's thread (at shutdown). */
    public void flushAll() {
        pending.forEach(this::write);
    }

    private static boolean isDue(Pending p, Instant now) {
        return !p.lastWrite.get().plus(RESOLUTION).isAfter(now);
    }

    private void queue(Key key, Pending p) {
        if (p.queued.compareAndSet(false, true)) {
            bookkeeping.submit("pull counts", () -> {
                p.queued.set(false);
                write(key, p);
            });
        }
    }

    private void write(Key key, Pending p) {
        long n = p.count.getAndSet(0);
        if (n == 0) {
            return;
        }
        OffsetDateTime now = Timestamps.now(clock);
        p.lastWrite.set(now.toInstant());
        // Independent statements, each committed on its own: a transaction holding the manifest's row while it waits
        // for the tag's (or the repository's) would deadlock with a delete that locks them the other way round.
        try {
            jdbi.useHandle(h -> {
                if (key.tag() != null) {
                    h.createUpdate("UPDATE tags SET pull_count = pull_count + :n, pulled_at = :now"
                                    + " WHERE repository_id = :r AND name = :t")
                            .bind("n", n).bind("now", now).bind("r", key.repositoryId()).bind("t", key.tag())
                            .execute();
                    return;
                }
                h.createUpdate("UPDATE repositories SET pull_count = pull_count + :n, pulled_at = :now WHERE id = :r")
                        .bind("n", n).bind("now", now).bind("r", key.repositoryId()).execute();
                // A manifest pushed after its last pull (by a clock behind another node's) keeps the later time.
                h.createUpdate("UPDATE manifests SET pulled_at = :now, last_activity_at = CASE"
                                + " WHEN last_activity_at < :now THEN :now ELSE last_activity_at END WHERE id = :m")
                        .bind("now", now).bind("m", key.manifestId()).execute();
            });
        } catch (RuntimeException e) {
            p.count.addAndGet(n); // counted again on the next flush
            throw e;
        }
    }

    /** The pull count and last pull time of a tag or repository, as stored. */
    public record Stats(long count, OffsetDateTime pulledAt) {
    }

    /** The pull count and last pull time of a repository, as stored. */
    public Stats repositoryStats(Repository repo) {
        return jdbi.withHandle(h -> h.createQuery("SELECT pull_count, pulled_at FROM repositories WHERE id = :r")
                .bind("r", repo.id())
                .map((rs, ctx) -> new Stats(rs.getLong(1), rs.getObject(2, OffsetDateTime.class))).findOne()
                .orElse(new Stats(0, null)));
    }

    public Stats tagStats(Repository repo, String tag) {
        return jdbi.withHandle(h -> h.createQuery("SELECT pull_count, pulled_at FROM tags"
                        + " WHERE repository_id = :r AND name = :t")
                .bind("r", repo.id()).bind("t", tag)
                .map((rs, ctx) -> new Stats(rs.getLong(1), rs.getObject(2, OffsetDateTime.class))).findOne()
                .orElse(new Stats(0, null)));
    }
}
