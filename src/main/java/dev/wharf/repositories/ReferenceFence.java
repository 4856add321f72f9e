package dev.wharf.repositories;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Keeps the collector's decisions apart from the transactions that add references (a blob link, a manifest push) on
 * the embedded H2 database, where row locks alone do not: while one H2 transaction commits, another may already find
 * the rows it deleted gone when it writes, yet still read the rows it deleted or inserted as they were before. Such a
 * push could then name a blob the collector is removing, or the collector miss a reference just committed. Each
 * collector transaction therefore runs alone, while transactions that add references run side by side. H2 serves one
 * process, so a lock in this process covers every writer. On PostgreSQL, where several nodes share the database,
 * row locks and read-committed reads after them do decide it, and the fence does nothing.
 */
final class ReferenceFence {
    /** Null on PostgreSQL. Fair, so that a stream of pushes does not keep the collector waiting forever. */
    private final ReentrantReadWriteLock lock;

    private ReferenceFence(ReentrantReadWriteLock lock) {
        this.lock = lock;
    }

    static ReferenceFence forDatabase(boolean postgres) {
        return new ReferenceFence(postgres ? null : new ReentrantReadWriteLock(true));
    }

    /** Runs a transaction that adds references; others like it run at the same time. */
    void adding(Runnable transaction) {
        if (lock == null) {
            transaction.run();
            return;
        }
        lock.readLock().lock();
        try {
            transaction.run();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs one of the collector's transactions, with no transaction that adds references running. */
    <T> T collecting(Supplier<T> transaction) {
        if (lock == null) {
            return transaction.get();
        }
        lock.writeLock().lock();
        try {
            return transaction.get();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
