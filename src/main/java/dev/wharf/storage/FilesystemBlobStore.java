package dev.wharf.storage;

import dev.wharf.core.DomainException;
import dev.wharf.core.PrivateFiles;
import dev.wharf.core.Reason;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * A {@link BlobStore} on a local filesystem. The layout under the root:
 * <pre>
 * &lt;root&gt;/
 * ├── sha256/
 * │   └── ab/
 * │       └── abcdef0123…   committed blob, named by its full hex digest; immutable once there
 * └── _uploads/
 *     └── &lt;upload id&gt;      bytes of an upload in progress, appended in order
 * </pre>
 * Crash safety comes from that structure: a blob reaches {@code sha256/} only by an atomic rename of a complete,
 * verified, fsynced upload file, so a reader never sees a partial blob. A crash leaves at most an upload file behind,
 * which either resumes (its size is the upload's state) or is removed as abandoned.
 *
 * <p>Hashing happens in the same pass as writing. The SHA-256 state of each upload is kept in memory between chunks;
 * after a restart (or a failed write) it is rebuilt once by reading back the bytes already on disk.
 */
public final class FilesystemBlobStore implements BlobStore {
    private static final Pattern UPLOAD_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
    /** Large enough that syscalls and digest updates are amortised, small enough to keep memory flat. */
    private static final int BUFFER = 1 << 20;
    /** Chunks of uploads, received and hashed. */
    private static final BufferPool<byte[]> HEAP_BUFFERS = BufferPool.heap(BUFFER);
    /** Chunks read from files for the network or for hashing, and chunks written with direct I/O. */
    private static final BufferPool<ByteBuffer> DIRECT_BUFFERS = BufferPool.direct(BUFFER);
    /** Hashes upload chunks beside the thread that receives and writes them (see {@link #appendHashing}). */
    private static final ExecutorService HASHERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wharf-blob-hash");
        t.setDaemon(true);
        return t;
    });

    private final Path root;
    private final Path blobs;
    private final Path uploads;
    /** Null where the filesystem does not support direct I/O. */
    private final DirectIo directIo;
    /** Hash state of uploads written by this process; one object per upload, also holding its lock. */
    private final ConcurrentHashMap<String, UploadState> states = new ConcurrentHashMap<>();

    public FilesystemBlobStore(Path root) {
        this(root, true);
    }

    /** With {@code tryDirectIo} false, uploads are always written through the page cache (for tests). */
    FilesystemBlobStore(Path root, boolean tryDirectIo) {
        this.root = root;
        this.blobs = root.resolve(Digest.ALGORITHM);
        this.uploads = root.resolve("_uploads");
        try {
            PrivateFiles.directories(blobs);
            PrivateFiles.directories(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directories under " + root, e);
        }
        this.directIo = tryDirectIo ? DirectIo.probe(uploads, DIRECT_BUFFERS).orElse(null) : null;
    }

    /** Whether uploads bypass the page cache (see {@link DirectIo}); false where the filesystem refuses it. */
    public boolean directIo() {
        return directIo != null;
    }

    public Path root() {
        return root;
    }

    /**
     * The SHA-256 of an upload's first {@code hashed} bytes, and the lock that serialises writers of the upload. A
     * {@link ReentrantLock} rather than a monitor: the holder blocks on network reads, which must not pin a virtual
     * thread's carrier.
     */
    private static final class UploadState {
        final ReentrantLock lock = new ReentrantLock();
        MessageDigest sha = sha256();
        long hashed;
        boolean valid = true;
    }

    /** Below this much free space, pushes fail and the store reports itself unable to take work. */
    public static final long MIN_FREE_BYTES = 16L * 1024 * 1024;

    @Override
    public java.util.Optional<String> problem() {
        try {
            long free = Files.getFileStore(blobs).getUsableSpace();
            return free < MIN_FREE_BYTES
                    ? java.util.Optional.of("no space left (" + free / 1024 + " KiB free)")
                    : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.of("unreadable");
        }
    }

    @Override
    public OptionalLong size(Digest digest) {
        return sizeOf(blobPath(digest));
    }

    private static OptionalLong sizeOf(Path file) {
        try {
            return OptionalLong.of(Files.size(file));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void send(Digest digest, long offset, long length, WritableByteChannel target) throws IOException {
        FileChannel file;
        try {
            file = FileChannel.open(blobPath(digest), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new DomainException.NotFound(Reason.BLOB_UNKNOWN, "blob unknown: " + digest);
        }
        try (file) {
            // Read into a direct buffer that the target (the HTTP connection) writes from without another copy. It
            // is borrowed per chunk: a slow client must not hold one for the whole download.
            long position = offset;
            long end = offset + length;
            while (position < end) {
                ByteBuffer buffer = DIRECT_BUFFERS.take();
                try {
                    buffer.clear();
                    buffer.limit((int) Math.min(buffer.capacity(), end - position));
                    int n = file.read(buffer, position);
                    if (n < 0) {
                        throw new IOException("blob " + digest + " is shorter than expected");
                    }
                    position += n;
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        target.write(buffer);
                    }
                } finally {
                    DIRECT_BUFFERS.give(buffer);
                }
            }
        }
    }

    @Override
    public void createUpload(String id) {
        Path file = uploadPath(id);
        try {
            PrivateFiles.file(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create upload " + id, e);
        }
        states.put(id, new UploadState());
    }

    @Override
    public OptionalLong uploadSize(String id) {
        return sizeOf(uploadPath(id));
    }

    @Override
    public long append(String id, long expectedOffset, InputStream data) throws IOException {
        Path file = uploadPath(id);
        UploadState state = states.computeIfAbsent(id, k -> new UploadState());
        state.lock.lock();
        try (UploadFile upload = openUpload(file)) {
            long size = upload.channel.size();
            if (expectedOffset >= 0 && expectedOffset != size) {
                throw new DomainException.Conflict(Reason.UPLOAD_OFFSET,
                        "chunk starts at " + expectedOffset + " but the upload holds " + size + " bytes");
            }
            catchUp(state, upload.channel, size);
            return appendHashing(state, upload, size, data);
        } catch (NoSuchFileException e) {
            states.remove(id, state);
            throw uploadUnknown(id);
        } finally {
            state.lock.unlock();
        }
    }

    private UploadFile openUpload(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (directIo == null) {
            return new UploadFile(channel, null, null);
        }
        try {
            return new UploadFile(channel, DirectIo.open(file), directIo);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * An upload file open for appending. Whole aligned blocks go straight to the disk when the filesystem allows
     * ({@link DirectIo}); an unaligned head (a chunk that starts mid-block) and tail go through the page cache.
     */
    private record UploadFile(FileChannel channel, FileChannel direct, DirectIo directIo) implements Closeable {
        /**
         * Writes through a pooled direct buffer, in pieces that are each either whole aligned blocks (direct) or less
         * than a block (page cache). A heap buffer handed to a file channel would be copied into a hidden per-thread
         * direct buffer of the same size, which escapes the pool's bound.
         */
        void write(byte[] data, int offset, int length, long position) throws IOException {
            ByteBuffer buffer = DIRECT_BUFFERS.take();
            try {
                int done = 0;
                while (done < length) {
                    long at = position + done;
                    int left = length - done;
                    int n = Math.min(buffer.capacity(), left);
                    FileChannel target = channel;
                    if (direct != null) {
                        int block = directIo.blockSize();
                        int toBoundary = Math.floorMod(-at, block);
                        if (toBoundary > 0) {
                            n = Math.min(left, toBoundary); // the head, up to the next block boundary
                        } else if (left >= block) {
                            n = n / block * block;
                            target = direct;
                        } // else the tail, shorter than a block: n == left
                    }
                    buffer.clear();
                    buffer.put(data, offset + done, n).flip();
                    while (buffer.hasRemaining()) {
                        target.write(buffer, at + buffer.position());
                    }
                    done += n;
                }
            } finally {
                DIRECT_BUFFERS.give(buffer);
            }
        }

        @Override
        public void close() throws IOException {
            try (channel) {
                if (direct != null) {
                    direct.close();
                }
            }
        }
    }

    /**
     * Streams {@code data} to the end of the upload and into its hash. While a helper thread hashes chunk k, this
     * thread reads chunk k+1 from the connection and writes it, so that hashing overlaps the I/O. The hash of chunk k
     * is awaited before chunk k+1 is handed over, so updates reach the digest in order. Each chunk's buffer is
     * borrowed from the pool when the chunk is read and given back when its hash is done.
     */
    private static long appendHashing(UploadState state, UploadFile upload, long start, InputStream data)
            throws IOException {
        long position = start;
        Future<?> hashing = null;
        boolean ok = false;
        try {
            while (true) {
                byte[] buffer = HEAP_BUFFERS.take();
                int n;
                try {
                    n = data.readNBytes(buffer, 0, buffer.length);
                    if (n > 0) {
                        upload.write(buffer, 0, n, position);
                    }
                    // Inside the try: an interrupted wait must not keep this buffer from the pool for good.
                    await(hashing);
                } catch (IOException | RuntimeException e) {
                    HEAP_BUFFERS.give(buffer);
                    throw e;
                }
                if (n <= 0) {
                    HEAP_BUFFERS.give(buffer);
                    break;
                }
                position += n;
                final long hashedTo = position;
                hashing = HASHERS.submit(() -> {
                    try {
                        state.sha.update(buffer, 0, n);
                        state.hashed = hashedTo;
                    } finally {
                        HEAP_BUFFERS.give(buffer);
                    }
                });
                if (n < buffer.length) {
                    break;
                }
            }
            await(hashing);
            ok = true;
            return position;
        } finally {
            if (!ok) {
                // Bytes that did reach the file stay: the upload's state is its size, and a resume continues from
                // there. The hash is rebuilt from disk next time, whatever was or was not hashed; the hash task
                // still running is awaited so that the next append does not race it.
                try {
                    await(hashing);
                } catch (IOException | RuntimeException ignored) {
                    // already failing
                }
                state.valid = false;
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
            throw new java.io.InterruptedIOException("interrupted while hashing");
        } catch (ExecutionException e) {
            throw new IllegalStateException("hashing failed", e.getCause());
        }
    }

    /** Brings the in-memory hash up to the bytes on disk (after a restart, or after a failed append). */
    private static void catchUp(UploadState state, FileChannel channel, long size) throws IOException {
        if (state.valid && state.hashed == size) {
            return;
        }
        state.sha = sha256();
        state.hashed = 0;
        ByteBuffer buffer = DIRECT_BUFFERS.take();
        try {
            while (state.hashed < size) {
                buffer.clear();
                int n = channel.read(buffer, state.hashed);
                if (n < 0) {
                    break;
                }
                buffer.flip();
                state.sha.update(buffer);
                state.hashed += n;
            }
        } finally {
            DIRECT_BUFFERS.give(buffer);
        }
        state.valid = true;
    }

    @Override
    public long commit(String id, Digest expected) throws IOException {
        Path file = uploadPath(id);
        UploadState state = states.computeIfAbsent(id, k -> new UploadState());
        state.lock.lock();
        try {
            try {
                long size;
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
                    size = channel.size();
                    catchUp(state, channel, size);
                    Digest actual = Digest.of(((MessageDigest) state.sha.clone()).digest());
                    if (!actual.equals(expected)) {
                        Files.deleteIfExists(file);
                        throw new DomainException.Invalid(Reason.DIGEST_INVALID,
                                "content has digest " + actual + ", not " + expected);
                    }
                    if (Files.exists(blobPath(expected))) {
                        // Already stored (same content by definition): the upload is simply dropped.
                        Files.deleteIfExists(file);
                        return size;
                    }
                    channel.force(true);
                } catch (NoSuchFileException e) {
                    throw uploadUnknown(id);
                } catch (CloneNotSupportedException e) {
                    throw new IllegalStateException(e);
                }
                Path target = blobPath(expected);
                PrivateFiles.directories(target.getParent());
                try {
                    // A concurrent commit of the same content may win the race; replacing it is harmless.
                    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the blob directory must be on one filesystem: " + root, e);
                }
                fsyncDirectory(target.getParent());
                return size;
            } finally {
                states.remove(id, state);
            }
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public void cancelUpload(String id) {
        Path file = uploadPath(id);
        UploadState state = states.computeIfAbsent(id, k -> new UploadState());
        state.lock.lock();
        try {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                states.remove(id, state);
            }
        } finally {
            state.lock.unlock();
        }
    }

    @Override
    public List<String> uploadsIdleSince(Instant cutoff) throws IOException {
        List<String> idle = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(uploads)) {
            for (Path p : dir) {
                if (!UPLOAD_ID.matcher(p.getFileName().toString()).matches()) {
                    continue; // not an upload (a leftover direct I/O probe)
                }
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                        idle.add(p.getFileName().toString());
                    }
                } catch (NoSuchFileException e) {
                    // committed or cancelled meanwhile
                }
            }
        }
        return idle;
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(blobPath(digest));
    }

    @Override
    public void forEachBlob(BlobVisitor visitor) throws IOException {
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(blobs)) {
            for (Path prefix : prefixes) {
                if (!Files.isDirectory(prefix)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                    for (Path file : files) {
                        String hex = file.getFileName().toString();
                        if (Digest.problem(Digest.ALGORITHM + ":" + hex) != null) {
                            continue; // not a blob (nothing else is written here, but be safe)
                        }
                        BasicFileAttributes attributes;
                        try {
                            attributes = Files.readAttributes(file, BasicFileAttributes.class);
                        } catch (NoSuchFileException e) {
                            continue; // deleted meanwhile
                        }
                        visitor.visit(new StoredBlob(new Digest(hex), attributes.size(),
                                attributes.lastModifiedTime().toInstant()));
                    }
                } catch (NoSuchFileException e) {
                    // an empty prefix directory removed meanwhile
                }
            }
        }
    }

    private static DomainException uploadUnknown(String id) {
        return new DomainException.NotFound(Reason.UPLOAD_UNKNOWN, "upload unknown: " + id);
    }

    private Path blobPath(Digest digest) {
        return blobs.resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    }

    /** The upload's file; the id pattern keeps every path inside {@code _uploads}. */
    private Path uploadPath(String id) {
        if (id == null || !UPLOAD_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid upload id");
        }
        return uploads.resolve(id);
    }

    /** Makes a rename durable: on Linux a directory is fsynced through a read-only channel. */
    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some filesystems refuse to fsync directories; the rename itself is still atomic.
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
