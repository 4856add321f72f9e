package dev.wharf.storage;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a {@link ContentAddressedStore} keeps its objects: a directory, or a bucket. The driver knows paths and bytes;
 * everything about blobs (hashing, verifying, the layout, upload state) is above it, shared by every driver, as in
 * distribution's storage drivers. Paths are relative, {@code /}-separated, and chosen by the store only.
 *
 * <p>Missing objects are reported as {@link java.nio.file.NoSuchFileException}, whatever the driver.
 */
public interface StorageDriver extends Closeable {

    /** Why the driver cannot take work now (unreachable, out of space), or empty when it can. */
    Optional<String> problem();

    /** The size and last modification of an object. */
    record Stat(long size, Instant modified) {
    }

    Optional<Stat> stat(String path) throws IOException;

    /**
     * Writes {@code length} bytes of an object from {@code offset} to {@code target}, streaming.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such object
     */
    void read(String path, long offset, long length, WritableByteChannel target) throws IOException;

    /** Replaces a small object whole (an upload's state): a reader sees the old content or the new, never a mix. */
    void put(String path, byte[] content) throws IOException;

    /** The whole of a small object, or empty when there is none; fails if it is larger than {@code maxSize}. */
    Optional<byte[]> get(String path, int maxSize) throws IOException;

    /**
     * Continues writing an upload's object at {@code path}, from the state {@code session} that the last
     * {@link Appender#flush} returned ({@code ""} for a new upload) and the {@code size} it held then. Bytes written
     * after that state, by an append that failed before its state was saved, are overwritten.
     */
    Appender append(String path, String session, long size) throws IOException;

    /** Bytes appended to an upload, in order. Not thread-safe: one append at a time uses it. */
    interface Appender extends Closeable {
        void write(byte[] data, int offset, int length) throws IOException;

        /** Makes everything written so far durable and returns the session to continue from. */
        String flush() throws IOException;

        /**
         * A session that holds exactly the first {@code size} bytes of the upload (some written since may follow),
         * when one is at hand without writing anything; empty otherwise. Lets the store save an append's progress
         * while it streams.
         */
        Optional<String> checkpoint(long size) throws IOException;

        /** Called once the store has saved the session {@link #flush} returned: what it superseded can go. */
        void saved() throws IOException;
    }

    /** Turns an upload's appended bytes into one complete object at {@code path}, durable. */
    void finish(String path, String session) throws IOException;

    /** Gives up an upload's appends (an S3 multipart upload is aborted); its objects are deleted separately. */
    void abandon(String path, String session) throws IOException;

    /** Moves an object, replacing {@code to}: an atomic rename, or a copy then a delete. */
    void move(String from, String to) throws IOException;

    /** Removes an object; returns whether it existed. */
    boolean delete(String path) throws IOException;

    /** Removes every object under {@code prefix} (which ends with {@code /}). */
    void deleteAll(String prefix) throws IOException;

    /** Receives the objects of a walk. */
    @FunctionalInterface
    interface Visitor {
        void visit(String path, Stat stat) throws IOException;
    }

    /**
     * Calls {@code visitor} for every object under {@code prefix} (which ends with {@code /}), holding no more than
     * one listing page in memory.
     */
    void walk(String prefix, Visitor visitor) throws IOException;

    /**
     * A short-lived URL from which a client can fetch the object itself, when the driver offers one; empty otherwise.
     */
    default Optional<URI> redirect(String path) {
        return Optional.empty();
    }

    /** Whether an upload's hash must be saved with it, because another process may continue it. */
    boolean shared();

    @Override
    default void close() {
    }
}
