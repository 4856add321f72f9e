package dev.wharf.storage;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.InterruptedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * A bounded set of reusable transfer buffers, shared by every upload and download of the process. The bound is what
 * keeps memory flat under load: with one buffer per transfer and no bound, 64 parallel downloads exhaust a 64 MiB
 * direct-memory cap and fail mid-body (found with the recommended JVM flags). When every buffer is in use,
 * {@link #take} waits: a transfer then slows down instead of failing, and TCP pushes back on its client.
 *
 * <p>A pool rather than thread-locals, because on virtual threads a thread-local is a fresh allocation per request.
 * Buffers are borrowed per chunk, never for a whole transfer, so that no transfer starves the others.
 */
final class BufferPool<T> {
    /** Idle buffers kept for reuse; the rest of a burst's buffers go back to the garbage collector. */
    private static final int KEEP = 16;
    /** Direct buffers are aligned for direct I/O on filesystems with blocks of up to this size. */
    static final int DIRECT_ALIGNMENT = 4096;

    private final Semaphore permits;
    private final ArrayBlockingQueue<T> idle = new ArrayBlockingQueue<>(KEEP);
    private final Supplier<T> make;

    private BufferPool(int max, Supplier<T> make) {
        this.permits = new Semaphore(max);
        this.make = make;
    }

    /** Heap buffers of {@code size} bytes, together at most a quarter of the maximum heap. */
    static BufferPool<byte[]> heap(int size) {
        return new BufferPool<>(budget(Runtime.getRuntime().maxMemory() / 4, size), () -> new byte[size]);
    }

    /**
     * Direct buffers of {@code size} bytes aligned to {@link #DIRECT_ALIGNMENT}, together at most half of the JVM's
     * direct-memory cap; the other half is left to Jetty's own buffers.
     */
    static BufferPool<ByteBuffer> direct(int size) {
        return new BufferPool<>(budget(maxDirectMemory() / 2, size),
                () -> ByteBuffer.allocateDirect(size + DIRECT_ALIGNMENT).alignedSlice(DIRECT_ALIGNMENT)
                        .limit(size).slice());
    }

    private static int budget(long bytes, int size) {
        return (int) Math.max(4, Math.min(256, bytes / size));
    }

    /** {@code -XX:MaxDirectMemorySize}, which defaults to the maximum heap size. */
    private static long maxDirectMemory() {
        try {
            long set = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue());
            if (set > 0) {
                return set;
            }
        } catch (RuntimeException e) {
            // not HotSpot: assume the default
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** A buffer, waiting for one to be given back when all are in use. */
    T take() throws InterruptedIOException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a transfer buffer");
        }
        return idleOrNew();
    }

    /** A buffer, or null when all are in use. */
    T tryTake() {
        return permits.tryAcquire() ? idleOrNew() : null;
    }

    private T idleOrNew() {
        T t = idle.poll();
        if (t != null) {
            return t;
        }
        try {
            return make.get();
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    void give(T t) {
        idle.offer(t);
        permits.release();
    }
}
