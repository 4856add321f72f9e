package dev.wharf.repositories;

import dev.wharf.audit.Actor;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** TEMPORARY on the lead's branch until issue11-retention merges (which replaces this file). */
public final class Retention implements Collection.RetentionStep {
    @Override
    public List<Long> repositoriesWithPolicy(Handle h) {
        return List.of();
    }

    @Override
    public List<Repositories.RemovedTag> apply(Handle h, long repositoryId, OffsetDateTime now,
                                               OffsetDateTime reviewAfter, Actor actor) {
        return List.of();
    }
}
