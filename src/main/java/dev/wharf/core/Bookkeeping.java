package dev.wharf.core;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Best-effort writes that ride on requests (pull counts, last-used times) run here, on one background thread, and
 * never in the request: a slow or failing database then costs the request nothing. The queue is bounded; when it is
 * full the write is dropped and counted, since losing a last-used time is better than failing or slowing a pull.
 */
public final class Bookkeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Bookkeeping.class);
    private static final int QUEUE = 10_000;

    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "wharf-bookkeeping");
                t.setDaemon(true);
                return t;
            });
    private final AtomicLong dropped = new AtomicLong();

    /** Runs {@code write} soon; failures are logged, never thrown. */
    public void submit(String what, Runnable write) {
        try {
            executor.execute(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) {
                    LOG.warn("{} failed: {}", what, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            if (dropped.getAndIncrement() % 1000 == 0) {
                LOG.warn("bookkeeping queue full; dropped {} writes so far ({})", dropped.get(), what);
            }
        }
    }

    /** Waits until every write submitted before this call has run (for tests and for an orderly stop). */
    public void settle() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try {
            executor.execute(done::countDown);
        } catch (RejectedExecutionException e) {
            return;
        }
        done.await();
    }

    /** Lets queued writes finish, for at most {@code wait}. */
    public void drain(Duration wait) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("bookkeeping writes still queued at shutdown were dropped");
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        try {
            drain(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
