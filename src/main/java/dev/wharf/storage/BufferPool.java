package dev.wharf.storage;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Supplier;

/**
 * A bounded stack of reusable buffers; taking from an empty pool allocates. A pool rather than thread-locals, because
 * on virtual threads a thread-local is a fresh allocation per request. At most {@link #KEEP} idle buffers are kept.
 */
final class BufferPool<T> {
    static final int KEEP = 16;
    private final ArrayBlockingQueue<T> idle = new ArrayBlockingQueue<>(KEEP);
    private final Supplier<T> make;

    BufferPool(Supplier<T> make) {
        this.make = make;
    }

    T take() {
        T t = idle.poll();
        return t != null ? t : make.get();
    }

    void give(T t) {
        idle.offer(t);
    }
}
