package dev.wharf.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * At most {@code limit} calls per key (a client address) in each fixed window, per node. The state is bounded by
 * memory whatever keys clients make up: past the budget the least recently used keys are forgotten, which can only
 * give a forgotten key a fresh window, never refuse anyone more.
 */
public final class RateLimiter {
    private static final long BUDGET_BYTES = 4L * 1024 * 1024;

    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Cache<String, Window> windows;

    public RateLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.clock = clock;
        this.windows = Caffeine.newBuilder()
                .expireAfterWrite(window)
                .maximumWeight(BUDGET_BYTES)
                .weigher((String k, Window w) -> 100 + ShortCache.bytes(k))
                .ticker(ShortCache.ticker(clock))
                .build();
    }

    /** The current window of one key: when it started and how many calls it has seen. */
    private record Window(Instant start, int calls) {
    }

    /**
     * Counts one call of {@code key}.
     *
     * @throws DomainException.RateLimited when the key has used up its window
     */
    public void acquire(String key) {
        Instant now = clock.instant();
        Window current = windows.asMap().compute(key, (k, w) -> w == null || !now.isBefore(w.start().plus(window))
                ? new Window(now, 1) : new Window(w.start(), w.calls() + 1));
        if (current.calls() > limit) {
            Instant reset = current.start().plus(window);
            long retryAfter = Math.max(1, Duration.between(now, reset).toSeconds() + 1);
            throw new DomainException.RateLimited(limit, retryAfter, reset.getEpochSecond() + 1);
        }
    }
}
