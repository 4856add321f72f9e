package dev.wharf.repositories;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A list of digests as a derived table {@code v (d)} that a query joins to its index by equality. H2 evaluates
 * {@code repository_id = ? AND digest IN (…)} by walking the repository's rows and testing each against the list (a
 * thousand digests in a repository of 100,000 manifests took seconds); a join on {@code (repository_id, digest)} is
 * one index lookup per digest on H2 and PostgreSQL alike. Positional parameters: the digests come first.
 */
final class DigestValues {
    private DigestValues() {
    }

    /** {@code (VALUES (?), (?), …) v (d)} for {@code n} digests. */
    static String table(int n) {
        return IntStream.range(0, n).mapToObj(i -> "(CAST(? AS VARCHAR(80)))")
                .collect(Collectors.joining(", ", "(VALUES ", ") v (d)"));
    }

    /** Binds the digests to the first positions; returns the next free position. */
    static int bind(SqlStatement<?> statement, List<String> digests) {
        for (int i = 0; i < digests.size(); i++) {
            statement.bind(i, digests.get(i));
        }
        return digests.size();
    }
}
