package dev.wharf.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs CPU-bound work (a password derivation, parsing a large document) where it cannot starve everyone else.
 *
 * <p>On Java 21+ requests run on virtual threads, which the JDK mounts on one carrier thread per CPU and never
 * preempts: a handful of requests each computing for tens of milliseconds hold every carrier, and a health check
 * waits behind them all. Work handed here runs on a platform thread instead, which the operating system time-slices
 * with the carriers, while the virtual thread that asked unmounts and frees its carrier. On a platform thread (Java
 * 17, the CLI) the work runs where it is, as there is nothing to free.
 */
public final class CpuBound {
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), daemonThreads());

    private CpuBound() {
    }

    /** The value of {@code work}, computed off the caller's carrier when the caller is a virtual thread. */
    public static <T> T call(Supplier<T> work) {
        if (!onVirtualThread()) {
            return work.get();
        }
        try {
            return CompletableFuture.supplyAsync(work, WORKERS).join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Lets other virtual threads have the caller's carrier for a moment: called between slices of CPU-bound work
     * that reads from a client as it goes (a streamed JSON body), which cannot be handed to a worker, since a worker
     * must never wait on a client.
     */
    @SuppressWarnings("ThreadPriorityCheck") // on a virtual thread, yield is a defined hand-over, not a hint
    public static void yieldCarrier() {
        if (onVirtualThread()) {
            Thread.yield();
        }
    }

    private static boolean onVirtualThread() {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual failed", e);
        }
    }

    /** {@code Thread.isVirtual()}, which Java 17 (the release this compiles for) lacks: null there. */
    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger next = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "wharf-cpu-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
