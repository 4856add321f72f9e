package dev.wharf.repositories;

import java.time.OffsetDateTime;

/** A repository: a named set of manifests, blobs and tags in a namespace, public or private. */
public record Repository(long id, RepositoryName name, long namespaceId, boolean isPrivate, OffsetDateTime createdAt,
                         OffsetDateTime pushedAt, OffsetDateTime pulledAt, long pullCount) {
}
