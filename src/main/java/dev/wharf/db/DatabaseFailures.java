package dev.wharf.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * What a database failure means, for H2 and PostgreSQL alike: the database cannot be reached (or closed itself after
 * an I/O error), the disk is full, or two transactions collided. The error writers use this to answer 503 or 507,
 * and the connection pool to throw away a connection that can never work again.
 */
public final class DatabaseFailures {
    /** H2's codes for a database that is closed, shutting down, or failing on file I/O. */
    private static final Set<Integer> H2_UNAVAILABLE = Set.of(90098, 90121, 90028, 90031, 90020, 8000, 90046);

    private DatabaseFailures() {
    }

    /** The database cannot be reached, or is closed: every connection open to it is dead. */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof org.jdbi.v3.core.ConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if ((state != null && (state.startsWith("08") || state.startsWith("57P")))
                        || H2_UNAVAILABLE.contains(sql.getErrorCode())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** There is no space left on the database's (or the blob store's) disk. */
    public static boolean isDiskFull(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "53100".equals(sql.getSQLState())) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** A deadlock or serialisation failure (SQLSTATE class 40): the database gave up one side of a race. */
    public static boolean isTransientConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("40")) {
                return true;
            }
        }
        return false;
    }
}
