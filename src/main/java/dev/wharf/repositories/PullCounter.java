package dev.wharf.repositories;

import dev.wharf.core.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Counts pulls per repository and tag, and writes them at most once a minute per tag: a popular tag pulled
 * thousands of times a minute costs one UPDATE a minute. Counts still pending are written by {@link #flushDue} (called
 * every minute) and by {@link #flushAll} at shutdown; a crash loses at most a minute of counts, never data.
 */
public final class PullCounter {
    static final Duration RESOLUTION = Duration.ofMinutes(1);

    private final Jdbi jdbi;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    public PullCounter(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    private static final class Pending {
        final long repositoryId;
        final String tag;
        long count;
        OffsetDateTime lastWrite;

        Pending(long repositoryId, String tag) {
            this.repositoryId = repositoryId;
            this.tag = tag;
        }
    }

    /** Records one pull of a repository, by {@code tag} or (null) by digest. */
    public void pulled(Repository repo, String tag) {
        Pending p = pending.computeIfAbsent(repo.id() + "\u0000" + (tag == null ? "" : tag),
                k -> new Pending(repo.id(), tag));
        synchronized (p) {
            p.count++;
            OffsetDateTime now = Clock.now();
            if (p.lastWrite == null || !p.lastWrite.plus(RESOLUTION).isAfter(now)) {
                write(p, now);
            }
        }
    }

    /** Writes the counts whose last write is at least a minute old. */
    public void flushDue() {
        OffsetDateTime now = Clock.now();
        for (Pending p : pending.values()) {
            synchronized (p) {
                if (p.count > 0 && (p.lastWrite == null || !p.lastWrite.plus(RESOLUTION).isAfter(now))) {
                    write(p, now);
                }
            }
        }
    }

    /** Writes every pending count (at shutdown). */
    public void flushAll() {
        OffsetDateTime now = Clock.now();
        for (Pending p : pending.values()) {
            synchronized (p) {
                if (p.count > 0) {
                    write(p, now);
                }
            }
        }
    }

    private void write(Pending p, OffsetDateTime now) {
        long n = p.count;
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE repositories SET pull_count = pull_count + :n, pulled_at = :now WHERE id = :r")
                    .bind("n", n).bind("now", now).bind("r", p.repositoryId).execute();
            if (p.tag != null) {
                h.createUpdate("UPDATE tags SET pull_count = pull_count + :n, pulled_at = :now"
                                + " WHERE repository_id = :r AND name = :t")
                        .bind("n", n).bind("now", now).bind("r", p.repositoryId).bind("t", p.tag).execute();
            }
        });
        p.count = 0;
        p.lastWrite = now;
    }

    /** The pull count and last pull time of a tag, as stored. */
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
