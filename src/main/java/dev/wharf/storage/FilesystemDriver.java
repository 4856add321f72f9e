package dev.wharf.storage;

import dev.wharf.core.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link StorageDriver} on a local directory. Objects are files, made 0600 in 0700 directories; a move is an atomic
 * rename, so the store's commit is crash-safe. Uploads are written with direct I/O where the filesystem allows
 * ({@link DirectIo}), and reads go through direct buffers that the socket writes from without another copy.
 */
final class FilesystemDriver implements StorageDriver {
    /** Chunks read from files for the network or for hashing, and chunks written with direct I/O. */
    private static final BufferPool<ByteBuffer> DIRECT_BUFFERS = BufferPool.direct(1 << 20);

    private final Path root;
    /** Null where the filesystem does not support direct I/O. */
    private final DirectIo directIo;

    FilesystemDriver(Path root, boolean tryDirectIo) {
        this.root = root;
        Path uploads = root.resolve("_uploads");
        try {
            PrivateFiles.directories(root.resolve(Digest.ALGORITHM));
            PrivateFiles.directories(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directories under " + root, e);
        }
        this.directIo = tryDirectIo ? DirectIo.probe(uploads, DIRECT_BUFFERS).orElse(null) : null;
    }

    boolean directIo() {
        return directIo != null;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public Optional<String> problem() {
        try {
            long free = Files.getFileStore(root).getUsableSpace();
            return free < FilesystemBlobStore.MIN_FREE_BYTES
                    ? Optional.of("no space left (" + free / 1024 + " KiB free)")
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.of("unreadable");
        }
    }

    private Path file(String path) {
        return root.resolve(path);
    }

    /** The file, created empty (0600, in 0700 directories) when it is not there yet. */
    private Path created(String path) throws IOException {
        Path target = file(path);
        PrivateFiles.directories(target.getParent());
        try {
            PrivateFiles.file(target);
        } catch (FileAlreadyExistsException e) {
            // there already
        }
        return target;
    }

    @Override
    public Optional<Stat> stat(String path) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file(path), BasicFileAttributes.class);
            return Optional.of(new Stat(a.size(), a.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void read(String path, long offset, long length, WritableByteChannel target) throws IOException {
        try (FileChannel file = FileChannel.open(file(path), StandardOpenOption.READ)) {
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
                        throw new IOException(path + " is shorter than expected");
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

    /** Written beside the target and renamed over it, so that a reader sees the old content or the new. */
    @Override
    public void put(String path, byte[] content) throws IOException {
        Path target = file(path);
        PrivateFiles.directories(target.getParent());
        Path temporary = target.resolveSibling("." + UUID.randomUUID() + ".tmp");
        PrivateFiles.file(temporary);
        try {
            Files.write(temporary, content);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    @Override
    public Optional<byte[]> get(String path, int maxSize) throws IOException {
        try (FileChannel channel = FileChannel.open(file(path), StandardOpenOption.READ)) {
            if (channel.size() > maxSize) {
                throw new IOException(path + " is larger than " + maxSize + " bytes");
            }
            ByteBuffer content = ByteBuffer.allocate((int) channel.size());
            while (content.hasRemaining() && channel.read(content) >= 0) {
                // until full
            }
            return Optional.of(content.array());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Bytes beyond {@code size} were written by an append whose state was not saved: cut off. Fewer bytes than
     * {@code size} means the machine crashed before they reached the disk (they are made durable at commit only); the
     * upload is then lost, as after any crash the client retries it.
     */
    @Override
    public Appender append(String path, String session, long size) throws IOException {
        Path target = created(path);
        FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            long held = channel.size();
            if (held < size) {
                throw new NoSuchFileException(path, null, "holds " + held + " bytes, its state says " + size);
            }
            if (held > size) {
                channel.truncate(size);
            }
            return new FileAppender(channel, directIo == null ? null : DirectIo.open(target), directIo, size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * An upload file open for appending. Whole aligned blocks go straight to the disk when the filesystem allows
     * ({@link DirectIo}); an unaligned head (a chunk that starts mid-block) and tail go through the page cache.
     */
    private static final class FileAppender implements Appender {
        private final FileChannel channel;
        private final FileChannel direct;
        private final DirectIo directIo;
        private long position;

        FileAppender(FileChannel channel, FileChannel direct, DirectIo directIo, long position) {
            this.channel = channel;
            this.direct = direct;
            this.directIo = directIo;
            this.position = position;
        }

        /**
         * Writes through a pooled direct buffer, in pieces that are each either whole aligned blocks (direct) or less
         * than a block (page cache). A heap buffer handed to a file channel would be copied into a hidden per-thread
         * direct buffer of the same size, which escapes the pool's bound.
         */
        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
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
            position += length;
        }

        /** Nothing to keep beyond the file itself, which is made durable at commit. */
        @Override
        public String flush() {
            return "";
        }

        /** Bytes past {@code size} are cut off when the upload continues from it. */
        @Override
        public Optional<String> checkpoint(long size) {
            return Optional.of("");
        }

        @Override
        public void saved() {
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

    @Override
    public void finish(String path, String session) throws IOException {
        Path target = created(path); // an upload that never had an append is empty
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    @Override
    public void abandon(String path, String session) {
    }

    @Override
    public void move(String from, String to) throws IOException {
        Path target = file(to);
        PrivateFiles.directories(target.getParent());
        try {
            Files.move(file(from), target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the blob directory must be on one filesystem: " + root, e);
        }
        fsyncDirectory(target.getParent());
    }

    @Override
    public boolean delete(String path) throws IOException {
        return Files.deleteIfExists(file(path));
    }

    @Override
    public void deleteAll(String prefix) throws IOException {
        Path dir = file(prefix);
        if (!Files.isDirectory(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void walk(String prefix, Visitor visitor) throws IOException {
        Path start = file(prefix);
        if (!Files.isDirectory(start)) {
            return;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                if (a.isRegularFile()) {
                    String path = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                    visitor.visit(path, new Stat(a.size(), a.lastModifiedTime().toInstant()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // deleted meanwhile
                }
                throw e;
            }
        });
    }

    /** Makes a rename durable: on Linux a directory is fsynced through a read-only channel. */
    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some filesystems refuse to fsync directories; the rename itself is still atomic.
        }
    }
}
