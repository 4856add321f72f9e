package dev.wharf.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * The blob logic every {@link StorageDriver} shares: hashing in the same pass as writing, commit (verify the digest,
 * then move the bytes to their content address) and the layout, as in distribution:
 * <pre>
 * sha256/ab/abcdef0123…     committed blob, named by its full hex digest; immutable once there
 * _uploads/&lt;id&gt;/state       the upload's size, saved hash and driver session, replaced after every append
 * _uploads/&lt;id&gt;/data        the upload's bytes (the driver may keep more objects under _uploads/&lt;id&gt;/)
 * </pre>
 * The state object is the upload's commit point: an append whose state was not saved never happened, whatever its
 * driver wrote, so a crash at any moment leaves either the old state or the new one. A blob reaches {@code sha256/}
 * only by a move of a complete, verified upload, so a reader never sees a partial blob.
 */
public class ContentAddressedStore implements BlobStore {
    private static final Pattern UPLOAD_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final String UPLOADS = "_uploads/";
    private static final int STATE_MAX = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Large enough that syscalls and digest updates are amortised, small enough to keep memory flat. */
    private static final int BUFFER = 1 << 20;
    /** Chunks of uploads, received and hashed. */
    private static final BufferPool<byte[]> HEAP_BUFFERS = BufferPool.heap(BUFFER);
    /** Hashes upload chunks beside the thread that receives and writes them (see {@link Transfer}). */
    private static final ExecutorService HASHERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wharf-blob-hash");
        t.setDaemon(true);
        return t;
    });
    /**
     * An append saves its progress while it streams, so that a status request or a crash sees it: after 8 MiB, then
     * each time it has doubled, then every 256 MiB. Saving costs a few milliseconds on a busy disk (a rename), which
     * every 8 MiB took 40% off a 1 GiB upload's speed; this way a crash loses at most half of what arrived.
     */
    private static final long CHECKPOINT_MIN = 8 << 20;
    private static final long CHECKPOINT_MAX = 256 << 20;
    /** Writers of one upload are serialised by one of these, chosen by the id: a fixed number, whatever clients do. */
    private static final int LOCK_STRIPES = 64;

    private final StorageDriver driver;
    /**
     * A {@link ReentrantLock} rather than a monitor: the holder blocks on network reads, which must not pin a virtual
     * thread's carrier.
     */
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    /** The in-memory hashes of uploads this process writes, for a driver whose hashes are not saved. */
    private final ConcurrentHashMap<String, UploadHash> localHashes = new ConcurrentHashMap<>();

    public ContentAddressedStore(StorageDriver driver) {
        this.driver = driver;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** An upload's saved state; {@code hash} is null for a driver whose hashes stay in memory. */
    record UploadState(long size, String hash, String session) {
    }

    @Override
    public Optional<String> problem() {
        return driver.problem();
    }

    @Override
    public OptionalLong size(Digest digest) {
        try {
            Optional<StorageDriver.Stat> stat = driver.stat(blobPath(digest));
            return stat.isPresent() ? OptionalLong.of(stat.get().size()) : OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void send(Digest digest, long offset, long length, WritableByteChannel target) throws IOException {
        try {
            driver.read(blobPath(digest), offset, length, target);
        } catch (NoSuchFileException e) {
            throw new DomainException.NotFound(Reason.BLOB_UNKNOWN, "blob unknown: " + digest);
        }
    }

    @Override
    public Optional<URI> redirect(Digest digest) {
        return driver.redirect(blobPath(digest));
    }

    @Override
    public void createUpload(String id) {
        String state = statePath(id);
        try {
            save(state, new UploadState(0, driver.shared() ? UploadHash.saveable().saved() : null, ""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create upload " + id, e);
        }
        if (!driver.shared()) {
            localHashes.put(id, UploadHash.local());
        }
    }

    @Override
    public OptionalLong uploadSize(String id) {
        try {
            Optional<UploadState> state = state(id);
            return state.isPresent() ? OptionalLong.of(state.get().size()) : OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long append(String id, long expectedOffset, InputStream data) throws IOException {
        String statePath = statePath(id);
        ReentrantLock lock = lock(id);
        lock.lock();
        try {
            UploadState state = state(id).orElseThrow(() -> uploadUnknown(id));
            if (expectedOffset >= 0 && expectedOffset != state.size()) {
                throw new DomainException.Conflict(Reason.UPLOAD_OFFSET,
                        "chunk starts at " + expectedOffset + " but the upload holds " + state.size() + " bytes");
            }
            UploadHash hash = hash(id, state);
            try (StorageDriver.Appender out = driver.append(dataPath(id), state.session(), state.size())) {
                Transfer transfer = new Transfer(hash, out, session -> save(statePath,
                        new UploadState(hash.hashed(), hash.saved(), session)));
                try {
                    transfer.run(data);
                } catch (IOException e) {
                    if (transfer.inputFailed) {
                        // What did arrive stays: the client resumes from the saved size.
                        saveQuietly(statePath, hash, out, e);
                    }
                    throw e;
                }
                save(statePath, new UploadState(hash.hashed(), hash.saved(), out.flush()));
                out.saved();
                return hash.hashed();
            }
        } finally {
            lock.unlock();
        }
    }

    private void saveQuietly(String statePath, UploadHash hash, StorageDriver.Appender out, IOException failure) {
        try {
            save(statePath, new UploadState(hash.hashed(), hash.saved(), out.flush()));
            out.saved();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Streams a request body into an upload and its hash. While a helper thread hashes chunk k, this thread reads
     * chunk k+1 from the connection and writes it, so that hashing overlaps the I/O. The hash of chunk k is awaited
     * before chunk k+1 is handed over, so updates reach the digest in order. Each chunk's buffer is borrowed from the
     * pool when the chunk is read and given back when its hash is done. When it fails, the hash has taken exactly
     * the chunks that were written.
     */
    private static final class Transfer {
        private final UploadHash hash;
        private final StorageDriver.Appender out;
        private final Checkpoint checkpoint;
        private final long start;
        private long checkpointed;
        /** Whether reading the body failed (rather than writing), so that what was written is worth keeping. */
        boolean inputFailed;

        Transfer(UploadHash hash, StorageDriver.Appender out, Checkpoint checkpoint) {
            this.hash = hash;
            this.out = out;
            this.checkpoint = checkpoint;
            this.start = hash.hashed();
            this.checkpointed = start;
        }

        /** Saves the upload's state with a session from {@link StorageDriver.Appender#checkpoint}. */
        @FunctionalInterface
        interface Checkpoint {
            void save(String session) throws IOException;
        }

        /** Called while no hashing runs, so that the hash and its size agree. */
        private void maybeCheckpoint() throws IOException {
            long interval = Math.min(CHECKPOINT_MAX, Math.max(CHECKPOINT_MIN, checkpointed - start));
            if (hash.hashed() - checkpointed < interval) {
                return;
            }
            Optional<String> session = out.checkpoint(hash.hashed());
            if (session.isPresent()) {
                checkpoint.save(session.get());
                checkpointed = hash.hashed();
            }
        }

        void run(InputStream data) throws IOException {
            Future<?> hashing = null;
            try {
                while (true) {
                    byte[] buffer = HEAP_BUFFERS.take();
                    int n;
                    try {
                        n = read(data, buffer);
                        if (n > 0) {
                            out.write(buffer, 0, n);
                        }
                        // Inside the try: an interrupted wait must not keep this buffer from the pool for good.
                        await(hashing);
                        maybeCheckpoint();
                    } catch (IOException | RuntimeException e) {
                        HEAP_BUFFERS.give(buffer);
                        throw e;
                    }
                    if (n <= 0) {
                        HEAP_BUFFERS.give(buffer);
                        break;
                    }
                    hashing = HASHERS.submit(() -> {
                        try {
                            hash.update(buffer, 0, n);
                        } finally {
                            HEAP_BUFFERS.give(buffer);
                        }
                    });
                    if (n < buffer.length) {
                        break;
                    }
                }
            } finally {
                // Also when failing: the next use of the hash must not race the task still running.
                await(hashing);
            }
        }

        private int read(InputStream data, byte[] buffer) throws IOException {
            try {
                return data.readNBytes(buffer, 0, buffer.length);
            } catch (IOException e) {
                inputFailed = true;
                throw e;
            }
        }
    }

    private static void await(Future<?> task) throws IOException {
        if (task == null) {
            return;
        }
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        } catch (ExecutionException e) {
            throw new IllegalStateException("hashing failed", e.getCause());
        }
    }

    /**
     * The upload's hash over its saved size: restored from the state, or this process's own, or (for a local hash
     * this process does not have, after a restart) rebuilt by reading the bytes back once.
     */
    private UploadHash hash(String id, UploadState state) throws IOException {
        if (state.hash() != null) {
            return UploadHash.restore(state.hash(), state.size());
        }
        UploadHash local = localHashes.get(id);
        if (local != null && local.hashed() == state.size()) {
            return local;
        }
        UploadHash rebuilt = UploadHash.local();
        if (state.size() > 0) {
            driver.read(dataPath(id), 0, state.size(), new HashingChannel(rebuilt));
        }
        localHashes.put(id, rebuilt);
        return rebuilt;
    }

    /** Feeds what is written to it into a hash, through a pooled buffer. */
    private record HashingChannel(UploadHash hash) implements WritableByteChannel {
        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = src.remaining();
            if (src.hasArray()) {
                hash.update(src.array(), src.arrayOffset() + src.position(), n);
                src.position(src.limit());
                return n;
            }
            byte[] buffer = HEAP_BUFFERS.take();
            try {
                while (src.hasRemaining()) {
                    int k = Math.min(buffer.length, src.remaining());
                    src.get(buffer, 0, k);
                    hash.update(buffer, 0, k);
                }
            } finally {
                HEAP_BUFFERS.give(buffer);
            }
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Override
    public long commit(String id, Digest expected) throws IOException {
        ReentrantLock lock = lock(id);
        lock.lock();
        try {
            UploadState state = state(id).orElseThrow(() -> uploadUnknown(id));
            Digest actual = hash(id, state).digest();
            if (!actual.equals(expected)) {
                discard(id, state);
                throw new DomainException.Invalid(Reason.DIGEST_INVALID,
                        "content has digest " + actual + ", not " + expected);
            }
            String target = blobPath(expected);
            if (driver.stat(target).isPresent()) {
                // Already stored (same content by definition): the upload is simply dropped.
                discard(id, state);
                return state.size();
            }
            driver.finish(dataPath(id), state.session());
            // A concurrent commit of the same content may win the race; replacing it is harmless.
            driver.move(dataPath(id), target);
            driver.deleteAll(uploadDirectory(id));
            localHashes.remove(id);
            return state.size();
        } finally {
            lock.unlock();
        }
    }

    private void discard(String id, UploadState state) throws IOException {
        localHashes.remove(id);
        driver.abandon(dataPath(id), state.session());
        driver.deleteAll(uploadDirectory(id));
    }

    @Override
    public void cancelUpload(String id) {
        String dir = uploadDirectory(id);
        ReentrantLock lock = lock(id);
        lock.lock();
        try {
            Optional<UploadState> state = state(id);
            if (state.isPresent()) {
                discard(id, state.get());
            } else {
                driver.deleteAll(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            localHashes.remove(id);
            lock.unlock();
        }
    }

    @Override
    public List<String> uploadsIdleSince(Instant cutoff) throws IOException {
        List<String> idle = new ArrayList<>();
        driver.walk(UPLOADS, (path, stat) -> {
            String[] parts = path.split("/", -1);
            if (parts.length == 3 && parts[2].equals("state") && UPLOAD_ID.matcher(parts[1]).matches()
                    && stat.modified().isBefore(cutoff)) {
                idle.add(parts[1]);
            }
        });
        return idle;
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return driver.delete(blobPath(digest));
    }

    @Override
    public void forEachBlob(BlobVisitor visitor) throws IOException {
        driver.walk(Digest.ALGORITHM + "/", (path, stat) -> {
            String hex = path.substring(path.lastIndexOf('/') + 1);
            if (Digest.problem(Digest.ALGORITHM + ":" + hex) == null) {
                visitor.visit(new StoredBlob(new Digest(hex), stat.size(), stat.modified()));
            }
        });
    }

    /** Closes the driver (its connections). */
    public void close() throws IOException {
        driver.close();
    }

    private Optional<UploadState> state(String id) throws IOException {
        Optional<byte[]> bytes = driver.get(statePath(id), STATE_MAX);
        return bytes.isEmpty() ? Optional.empty() : Optional.of(JSON.readValue(bytes.get(), UploadState.class));
    }

    private void save(String statePath, UploadState state) throws IOException {
        driver.put(statePath, JSON.writeValueAsBytes(state));
    }

    private ReentrantLock lock(String id) {
        return locks[Math.floorMod(id.hashCode(), locks.length)];
    }

    private static DomainException uploadUnknown(String id) {
        return new DomainException.NotFound(Reason.UPLOAD_UNKNOWN, "upload unknown: " + id);
    }

    static String blobPath(Digest digest) {
        return Digest.ALGORITHM + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    /** The id pattern keeps every path inside {@code _uploads/}. */
    private static String uploadDirectory(String id) {
        if (id == null || !UPLOAD_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return UPLOADS + id + "/";
    }

    private static String statePath(String id) {
        return uploadDirectory(id) + "state";
    }

    private static String dataPath(String id) {
        return uploadDirectory(id) + "data";
    }
}
