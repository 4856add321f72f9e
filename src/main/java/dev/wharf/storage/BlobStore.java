package dev.wharf.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * Content-addressed blob storage with resumable uploads. The contract every implementation keeps (and
 * {@code BlobStoreContract} checks):
 * <ul>
 *   <li>A blob is visible under its digest only after {@link #commit} has verified that digest against the bytes and
 *       made them durable; a crash at any moment never exposes a partial blob.</li>
 *   <li>An upload is a byte sequence identified by an id chosen by the caller ({@code [A-Za-z0-9-]{1,64}}). Bytes are
 *       appended in order; its size is durable state, so an upload survives a restart and resumes at
 *       {@link #uploadSize}.</li>
 *   <li>Committing the same content twice, even concurrently from two uploads, is safe: the second finds the blob
 *       already present.</li>
 *   <li>Memory use does not depend on blob size: data is streamed in both directions.</li>
 *   <li>Files and directories it creates are readable by the server's user only (0600, 0700).</li>
 * </ul>
 * Its failures are {@link dev.wharf.core.DomainException}s with a {@link dev.wharf.core.Reason}, as everywhere in the
 * domain.
 * The store knows nothing of repositories; which repository may see which blob is metadata kept elsewhere.
 */
public interface BlobStore {

    /**
     * Why the store cannot take work now (unreachable, out of space), or empty when it can. Cheap enough to be asked
     * once a second by the health check.
     */
    java.util.Optional<String> problem();

    /** The size of a committed blob, or empty when there is none with this digest. */
    OptionalLong size(Digest digest);

    /**
     * Writes {@code length} bytes of a committed blob, starting at {@code offset}, to {@code target}. Implementations
     * avoid copies where they can (a filesystem store reads into a direct buffer the socket writes from).
     *
     * @throws dev.wharf.core.DomainException.NotFound with {@code BLOB_UNKNOWN} when there is no such blob
     * @throws IOException                    when the target fails (typically: the client went away)
     */
    void send(Digest digest, long offset, long length, WritableByteChannel target) throws IOException;

    /**
     * A short-lived URL from which a client may fetch a committed blob itself (a presigned object-storage URL), when
     * the store is set up to hand those out; empty when the bytes should come through {@link #send}.
     */
    default java.util.Optional<java.net.URI> redirect(Digest digest) {
        return java.util.Optional.empty();
    }

    /** The whole of a small committed blob (a manifest, an image config) in memory; callers bound {@code size}. */
    default byte[] readSmall(Digest digest, long size) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) size);
        send(digest, 0, size, java.nio.channels.Channels.newChannel(out));
        return out.toByteArray();
    }

    /** Starts an empty upload. Fails with {@link IllegalArgumentException} for a malformed id. */
    void createUpload(String id);

    /** The number of bytes an upload holds, or empty when it does not exist (never started, committed, cancelled). */
    OptionalLong uploadSize(String id);

    /**
     * Appends everything {@code data} yields to an upload, hashing it in the same pass, and returns the new size.
     *
     * @param expectedOffset the size the caller believes the upload has, or -1 to append wherever it ends
     * @throws dev.wharf.core.DomainException.NotFound with {@code UPLOAD_UNKNOWN} when the upload does not exist
     * @throws dev.wharf.core.DomainException.Conflict with {@code UPLOAD_OFFSET} when {@code expectedOffset} is not
     *                                                 the current size; nothing is written
     * @throws IOException                       when reading {@code data} fails; the bytes already appended stay
     */
    long append(String id, long expectedOffset, InputStream data) throws IOException;

    /**
     * Verifies the upload's content against {@code expected}, makes it durable and visible under that digest, and
     * ends the upload. Returns the blob's size.
     *
     * @throws dev.wharf.core.DomainException.NotFound with {@code UPLOAD_UNKNOWN} when the upload does not exist
     * @throws dev.wharf.core.DomainException.Invalid with {@code DIGEST_INVALID} when the content has another
     *                                                digest; the upload is discarded
     */
    long commit(String id, Digest expected) throws IOException;

    /** Discards an upload; a no-op when it does not exist. */
    void cancelUpload(String id);

    /** Ids of uploads last written before {@code cutoff}, for the removal of abandoned uploads. */
    List<String> uploadsIdleSince(Instant cutoff) throws IOException;

    /** Removes a committed blob; returns whether it existed. Callers make sure nothing refers to it any more. */
    boolean delete(Digest digest) throws IOException;

    /** A committed blob as the store holds it, for a walk over the whole store. */
    record StoredBlob(Digest digest, long size, Instant modified) {
    }

    /** Receives the blobs of a walk; may throw to stop it. */
    @FunctionalInterface
    interface BlobVisitor {
        void visit(StoredBlob blob) throws IOException;
    }

    /**
     * Calls {@code visitor} for every committed blob, in no particular order, holding no more than one directory's
     * listing in memory. Blobs committed or deleted during the walk may or may not be seen.
     */
    void forEachBlob(BlobVisitor visitor) throws IOException;
}
