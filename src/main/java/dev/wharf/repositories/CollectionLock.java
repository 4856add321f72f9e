package dev.wharf.repositories;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Makes sure only one collection runs at a time. On PostgreSQL, where several nodes may share the database, it is a
 * session advisory lock on a connection held for the run: a node that dies releases it with its connection. The
 * embedded H2 database belongs to one process, so a lock in this process is enough there.
 */
abstract class CollectionLock {
    /** The advisory lock's key: "wharf gc" in ASCII. */
    private static final long KEY = 0x7768617266206763L;

    /** A held lock; closing it releases it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** The lock, if no collection holds it; never waits. */
    abstract Optional<Held> tryAcquire();

    static CollectionLock of(Jdbi jdbi, boolean postgres) {
        return postgres ? new Advisory(jdbi) : new InProcess();
    }

    private static final class Advisory extends CollectionLock {
        private final Jdbi jdbi;

        Advisory(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        @Override
        Optional<Held> tryAcquire() {
            Handle h = jdbi.open();
            try {
                boolean got = h.createQuery("SELECT pg_try_advisory_lock(:k)").bind("k", KEY).mapTo(Boolean.class)
                        .one();
                if (!got) {
                    h.close();
                    return Optional.empty();
                }
            } catch (RuntimeException e) {
                h.close();
                throw e;
            }
            return Optional.of(() -> {
                try {
                    var unused = h.createQuery("SELECT pg_advisory_unlock(:k)").bind("k", KEY)
                            .mapTo(Boolean.class).one();
                } finally {
                    h.close();
                }
            });
        }
    }

    private static final class InProcess extends CollectionLock {
        /** A semaphore, not a lock: the request that starts a run acquires it, the collector's thread releases it. */
        private final Semaphore permit = new Semaphore(1);

        @Override
        Optional<Held> tryAcquire() {
            return permit.tryAcquire() ? Optional.of(permit::release) : Optional.empty();
        }
    }
}
