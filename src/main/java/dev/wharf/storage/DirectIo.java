package dev.wharf.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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
 * size. {@link #write} therefore sends only whole aligned blocks this way; the caller writes any unaligned head or tail
 * through an ordinary channel. Linux keeps the two coherent: a direct write flushes and drops cached pages of its
 * range first.
 */
final class DirectIo {
    /** Larger blocks than this are unusual enough that buffered writes are the safer choice. */
    private static final int MAX_BLOCK = 64 * 1024;

    private final int blockSize;
    private final BufferPool<ByteBuffer> buffers;

    private DirectIo(int blockSize, int bufferSize) {
        this.blockSize = blockSize;
        this.buffers = new BufferPool<>(
                () -> ByteBuffer.allocateDirect(bufferSize + blockSize).alignedSlice(blockSize));
    }

    /**
     * Direct I/O for files in {@code dir}, if its filesystem accepts it: probed by writing one block to a scratch
     * file (tmpfs, for one, refuses {@code O_DIRECT}).
     */
    static Optional<DirectIo> probe(Path dir, int bufferSize) {
        Path scratch = dir.resolve(".direct-io-probe");
        try {
            long size = Files.getFileStore(dir).getBlockSize();
            if (size <= 0 || size > MAX_BLOCK || Long.bitCount(size) != 1 || bufferSize % size != 0) {
                return Optional.empty();
            }
            DirectIo direct = new DirectIo((int) size, bufferSize);
            Files.deleteIfExists(scratch);
            Files.createFile(scratch);
            try (FileChannel channel = open(scratch)) {
                direct.write(channel, new byte[direct.blockSize], 0, direct.blockSize, 0);
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
        return FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
    }

    /**
     * Writes {@code length} bytes of {@code data}, which must be a multiple of the block size, at {@code position},
     * which must be block-aligned.
     */
    void write(FileChannel channel, byte[] data, int offset, int length, long position) throws IOException {
        if (length == 0) {
            return;
        }
        ByteBuffer buffer = buffers.take();
        try {
            int done = 0;
            while (done < length) {
                int n = Math.min(buffer.capacity(), length - done);
                buffer.clear();
                buffer.put(data, offset + done, n).flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer, position + done + buffer.position());
                }
                done += n;
            }
        } finally {
            buffers.give(buffer);
        }
    }
}
