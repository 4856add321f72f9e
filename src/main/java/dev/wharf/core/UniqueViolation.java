package dev.wharf.core;

import java.sql.SQLException;
import java.util.function.Supplier;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Turns a unique-key violation (SQLSTATE 23505 in both H2 and PostgreSQL) into a {@link DomainException.Conflict}. */
public final class UniqueViolation {
    private UniqueViolation() {
    }

    public static <T> T asConflict(String message, Supplier<T> statement) {
        try {
            return statement.get();
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                throw new DomainException.Conflict(message);
            }
            throw e;
        }
    }
}
