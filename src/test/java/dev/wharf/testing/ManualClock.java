package dev.wharf.testing;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that tests move by hand: it starts at the real time and only advances when told, so a test sees a token
 * expire or a cache entry lapse without sleeping. It is also the servers' cache ticker (see
 * {@code ShortCache.ticker}), so one-second caches lapse when it moves a second.
 */
public final class ManualClock extends Clock implements Ticker {
    private final AtomicLong nanos;

    public ManualClock() {
        Instant now = Instant.now();
        this.nanos = new AtomicLong(now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    public void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    @Override
    public Instant instant() {
        long n = nanos.get();
        return Instant.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L), Math.floorMod(n, 1_000_000_000L));
    }

    @Override
    public long read() {
        return nanos.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a manual clock stays in UTC");
    }
}
