package dev.wharf.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntBiFunction;

/**
 * A cache of database reads that expire after a short time, bounded by the memory its entries take rather than by
 * their number, so that what clients send (names, tokens) can never make it grow past its budget.
 *
 * <p>Values are loaded outside the cache's locks: a database call inside Caffeine's compute would pin a virtual
 * thread and block every other reader of the same bin. A load that overlaps an invalidation is not stored, so a change
 * this node makes is seen by the very next read.
 */
public final class ShortCache<K, V> {
    private final Cache<K, V> cache;
    private final AtomicLong generation = new AtomicLong();

    /**
     * @param maxBytes budget for all entries together, as estimated by {@code weigh} (bytes of key and value)
     * @param clock    the time source; a clock that is also a Caffeine {@link Ticker} (tests) drives expiry, any
     *                 other clock leaves expiry to the monotonic system ticker, which wall-clock jumps cannot fool
     */
    public ShortCache(Duration ttl, long maxBytes, ToIntBiFunction<K, V> weigh, Clock clock) {
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumWeight(maxBytes)
                .weigher((K k, V v) -> Math.max(1, weigh.applyAsInt(k, v)))
                .ticker(ticker(clock))
                .build();
    }

    /** The monotonic time source for caches: the clock itself where it is a ticker (tests), else the system's. */
    public static Ticker ticker(Clock clock) {
        return clock instanceof Ticker t ? t : Ticker.systemTicker();
    }

    /** The cached value, or the loaded one (stored unless an invalidation happened meanwhile). */
    public V get(K key, Function<? super K, ? extends V> load) {
        V cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        long before = generation.get();
        V loaded = load.apply(key);
        if (loaded != null && generation.get() == before) {
            cache.put(key, loaded);
        }
        return loaded;
    }

    public V getIfPresent(K key) {
        return cache.getIfPresent(key);
    }

    public void put(K key, V value) {
        cache.put(key, value);
    }

    public void invalidate(K key) {
        generation.incrementAndGet();
        cache.invalidate(key);
    }

    public void invalidateIf(Predicate<K> matching) {
        generation.incrementAndGet();
        cache.asMap().keySet().removeIf(matching);
    }

    public void invalidateAll() {
        generation.incrementAndGet();
        cache.invalidateAll();
    }

    /** Rough heap size of a string, for weighers: header, array header and two bytes a character at most. */
    public static int bytes(String s) {
        return s == null ? 0 : 40 + 2 * s.length();
    }
}
