package dev.wharf.core;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A share of the heap that requests holding whole bodies in memory (manifests, up to their size limit) take from
 * before they read, and give back when done. When it is used up, a request waits a little and is then refused as
 * unavailable (503): a burst of large bodies slows down or is turned away, and never runs the heap out.
 */
public final class MemoryBudget {
    private static final int UNIT = 1024;

    private final Semaphore kib;
    private final int totalKib;
    private final Duration wait;

    public MemoryBudget(long bytes, Duration wait) {
        this.totalKib = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / UNIT));
        this.kib = new Semaphore(totalKib, true);
        this.wait = wait;
    }

    /** A budget of {@code fraction} of the maximum heap. */
    public static MemoryBudget ofHeap(double fraction, Duration wait) {
        return new MemoryBudget((long) (Runtime.getRuntime().maxMemory() * fraction), wait);
    }

    /** Memory taken from the budget; closing gives it back. */
    public final class Lease implements AutoCloseable {
        private final int units;
        private boolean released;

        private Lease(int units) {
            this.units = units;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                kib.release(units);
            }
        }
    }

    /**
     * Takes {@code bytes} from the budget, waiting for at most the configured time.
     *
     * @throws DomainException.Unavailable when the budget stays used up
     */
    public Lease take(long bytes) {
        int units = (int) Math.min(totalKib, Math.max(1, (bytes + UNIT - 1) / UNIT));
        try {
            if (kib.tryAcquire(units, wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Lease(units);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new DomainException.Unavailable(Reason.GENERIC, "The server is busy; retry shortly.", 1);
    }
}
