package dev.wharf.storage;

import dev.wharf.core.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Writes that bypass the page cache ({@code O_DIRECT}) on a filesystem that supports them. Uploads are written once
 * and read back rarely (a resume after a restart, or a download much later), so caching their pages buys nothing,
 * while copying gigabytes through the page cache and writing them back costs more than the disk write itself: on a
 * virtual machine, buffered writes of a large upload run at a fraction of the device's speed.
 *
 * <p>Direct I/O needs the file position, the buffer address and the length to be multiples of the filesystem's block
 * size. Only whole aligned blocks are written this way; an unaligned head or tail goes through an ordinary channel.
 * Linux keeps the two coherent: a direct write flushes and drops cached pages of its range first.
 */
final class DirectIo {
    /**
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}, looked up by name: the JDK's compiler warns on every use of
     * that internal class, and a JDK without it simply has no direct I/O (the probe then fails).
     */
    private static final OpenOption DIRECT = directOption();

    private final int blockSize;

    private DirectIo(int blockSize) {
        this.blockSize = blockSize;
    }

    /**
     * Direct I/O for files in {@code dir}, if its filesystem accepts it: probed by writing one block to a scratch
     * file (tmpfs, for one, refuses {@code O_DIRECT}).
     */
    static Optional<DirectIo> probe(Path dir, BufferPool<ByteBuffer> buffers) {
        Path scratch = dir.resolve(".direct-io-probe");
        try {
            long size = Files.getFileStore(dir).getBlockSize();
            // Larger blocks are unusual enough that buffered writes are the safer choice.
            if (size <= 0 || Long.bitCount(size) != 1 || BufferPool.DIRECT_ALIGNMENT % size != 0) {
                return Optional.empty();
            }
            DirectIo direct = new DirectIo((int) size);
            Files.deleteIfExists(scratch);
            PrivateFiles.file(scratch);
            try (FileChannel channel = open(scratch)) {
                ByteBuffer block = buffers.take();
                try {
                    channel.write(block.clear().limit(direct.blockSize), 0);
                } finally {
                    buffers.give(block);
                }
            }
            return Optional.of(direct);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // a leftover probe file is harmless: the name is not a valid upload id
            }
        }
    }

    int blockSize() {
        return blockSize;
    }

    /** Opens an existing file for direct writes. */
    static FileChannel open(Path file) throws IOException {
        if (DIRECT == null) {
            throw new UnsupportedOperationException("this JDK has no direct I/O");
        }
        return FileChannel.open(file, StandardOpenOption.WRITE, DIRECT);
    }

    private static OpenOption directOption() {
        try {
            return (OpenOption) Class.forName("com.sun.nio.file.ExtendedOpenOption").getField("DIRECT").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return null;
        }
    }
}
