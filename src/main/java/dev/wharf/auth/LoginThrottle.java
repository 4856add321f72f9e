package dev.wharf.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.core.DomainException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Brute-force protection for sign-ins: at most {@link #LIMIT} failures per username and client address within
 * {@link #WINDOW}. Keying on both means an attacker elsewhere cannot lock the real user out. Kept per node.
 */
public final class LoginThrottle {
    public static final int LIMIT = 10;
    public static final Duration WINDOW = Duration.ofMinutes(5);

    private final Cache<String, Deque<Instant>> failures = Caffeine.newBuilder()
            .expireAfterAccess(WINDOW).maximumSize(1_000_000).build();

    /** Throws {@link DomainException.RateLimited} when this username and address have used up their attempts. */
    public void check(String username, String address) {
        Deque<Instant> recent = failures.getIfPresent(key(username, address));
        if (recent == null) {
            return;
        }
        synchronized (recent) {
            Instant now = Instant.now();
            prune(recent, now);
            if (recent.size() >= LIMIT) {
                Instant reset = recent.peekFirst().plus(WINDOW);
                long retryAfter = Math.max(1, Duration.between(now, reset).toSeconds() + 1);
                throw new DomainException.RateLimited(LIMIT, retryAfter, reset.getEpochSecond() + 1);
            }
        }
    }

    public void recordFailure(String username, String address) {
        Deque<Instant> recent = failures.get(key(username, address), k -> new ArrayDeque<>());
        synchronized (recent) {
            prune(recent, Instant.now());
            recent.addLast(Instant.now());
        }
    }

    public void recordSuccess(String username, String address) {
        failures.invalidate(key(username, address));
    }

    private static void prune(Deque<Instant> recent, Instant now) {
        Instant cutoff = now.minus(WINDOW);
        while (!recent.isEmpty() && recent.peekFirst().isBefore(cutoff)) {
            recent.removeFirst();
        }
    }

    private static String key(String username, String address) {
        return username + '\u0000' + address;
    }
}
