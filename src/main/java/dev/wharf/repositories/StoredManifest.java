package dev.wharf.repositories;

import dev.wharf.storage.Digest;

/** A manifest held by a repository: what a HEAD answers with. Its bytes are a blob under the same digest. */
public record StoredManifest(long id, Digest digest, String mediaType, long size, String artifactType) {
}
