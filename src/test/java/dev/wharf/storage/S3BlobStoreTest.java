package dev.wharf.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on the S3 store, each test in a fresh bucket of a real S3 (S3Proxy), plus what only a store that
 * nodes share can show: an upload continued by another node, which reads back none of the bytes already written.
 */
class S3BlobStoreTest extends BlobStoreContract {
    private static final List<ContentAddressedStore> OPENED = new ArrayList<>();
    private S3Settings settings;

    @Override
    protected BlobStore newStore() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        settings = s3.settings(s3.newBucket());
        S3BlobStore opened = S3BlobStore.open(settings);
        OPENED.add(opened);
        return opened;
    }

    @AfterAll
    static void closeStores() throws Exception {
        for (ContentAddressedStore s : OPENED) {
            s.close();
        }
    }

    /** Another node's store on the same bucket, counting the upload bytes its driver reads. */
    private ContentAddressedStore node(AtomicLong uploadBytesRead) {
        ContentAddressedStore node = S3BlobStore.over(new CountingDriver(S3BlobStore.driver(settings),
                uploadBytesRead));
        OPENED.add(node);
        return node;
    }

    @Test
    void anUploadBegunOnOneNodeIsContinuedAndCommittedOnAnotherWithoutReadingItsBytesBack() throws Exception {
        byte[] data = random(9 << 20, 30);
        int first = 6 << 20; // a chunk of at least 5 MiB leaves no staged tail
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(data, 0, first));
        AtomicLong read = new AtomicLong();
        ContentAddressedStore b = node(read);
        assertThat(b.uploadSize(id)).hasValue(first);
        assertThat(b.append(id, first, new ByteArrayInputStream(data, first, data.length - first)))
                .isEqualTo(data.length);
        Digest d = digestOf(data);
        assertThat(b.commit(id, d)).isEqualTo(data.length);
        assertThat(read).as("upload bytes node B read back").hasValue(0);
        assertThat(store.readSmall(d, data.length)).isEqualTo(data);
    }

    /**
     * Chunks under S3's 5 MiB part minimum are staged, and read back by the next append only (never more than one
     * part's worth); chunks above it go out as parts.
     */
    @Test
    void chunksSmallerAndLargerThanAPartAlternateAcrossNodes() throws Exception {
        int[] chunks = {3 << 20, 1 << 20, 7 << 20, 100, 11 << 20, 2 << 20};
        byte[] data = random(java.util.Arrays.stream(chunks).sum(), 31);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        AtomicLong read = new AtomicLong();
        ContentAddressedStore other = node(read);
        int at = 0;
        for (int i = 0; i < chunks.length; i++) {
            BlobStore node = i % 2 == 0 ? store : other;
            long before = read.get();
            assertThat(node.append(id, at, new ByteArrayInputStream(data, at, chunks[i]))).isEqualTo(at + chunks[i]);
            assertThat(read.get() - before).as("bytes read back by chunk %d", i).isLessThan(S3Driver.MIN_PART);
            at += chunks[i];
        }
        Digest d = digestOf(data);
        long readBeforeCommit = read.get();
        assertThat(other.commit(id, d)).isEqualTo(data.length);
        assertThat(read.get()).as("a commit reads nothing back").isEqualTo(readBeforeCommit);
        assertThat(store.readSmall(d, data.length)).isEqualTo(data);
    }

    /**
     * A part is sent while the next one fills, so an append of whole parts ends with its last part still in flight:
     * the saved session must hold it all the same, and the other node continues after it.
     */
    @Test
    void appendsOfWholePartsKeepThePartStillInFlightAtTheirEnd() throws Exception {
        int part = S3Driver.PART_SIZE;
        int[] chunks = {2 * part, 3 * part, part + (5 << 20)};
        byte[] data = random(java.util.Arrays.stream(chunks).sum(), 32);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        ContentAddressedStore other = node(new AtomicLong());
        int at = 0;
        for (int i = 0; i < chunks.length; i++) {
            BlobStore node = i % 2 == 0 ? store : other;
            assertThat(node.append(id, at, new ByteArrayInputStream(data, at, chunks[i]))).isEqualTo(at + chunks[i]);
            at += chunks[i];
            assertThat(other.uploadSize(id)).as("size after chunk %d, seen from the other node", i).hasValue(at);
        }
        Digest d = digestOf(data);
        assertThat(store.commit(id, d)).isEqualTo(data.length);
        assertThat(store.readSmall(d, data.length)).isEqualTo(data);
    }

    /** Counts the bytes read from objects under {@code _uploads/}, other than the small state objects. */
    private static final class CountingDriver implements StorageDriver {
        private final StorageDriver inner;
        private final AtomicLong uploadBytesRead;

        CountingDriver(StorageDriver inner, AtomicLong uploadBytesRead) {
            this.inner = inner;
            this.uploadBytesRead = uploadBytesRead;
        }

        private void count(String path, long n) {
            if (path.startsWith("_uploads/") && !path.endsWith("/state")) {
                uploadBytesRead.addAndGet(n);
            }
        }

        @Override
        public Optional<String> problem() {
            return inner.problem();
        }

        @Override
        public Optional<Stat> stat(String path) throws IOException {
            return inner.stat(path);
        }

        @Override
        public void read(String path, long offset, long length, WritableByteChannel target) throws IOException {
            count(path, length);
            inner.read(path, offset, length, target);
        }

        @Override
        public void put(String path, byte[] content) throws IOException {
            inner.put(path, content);
        }

        @Override
        public Optional<byte[]> get(String path, int maxSize) throws IOException {
            Optional<byte[]> content = inner.get(path, maxSize);
            content.ifPresent(c -> count(path, c.length));
            return content;
        }

        @Override
        public Appender append(String path, String session, long size) throws IOException {
            // The staged tail is read back inside the driver's appender: its size is in the session.
            S3Driver.Session s = S3Driver.Session.parse(session);
            Appender a = inner.append(path, session, size);
            return new Appender() {
                private boolean first = true;

                @Override
                public void write(byte[] data, int offset, int length) throws IOException {
                    if (first && s.tail() != null) {
                        count(s.tail(), s.tailSize());
                    }
                    first = false;
                    a.write(data, offset, length);
                }

                @Override
                public String flush() throws IOException {
                    return a.flush();
                }

                @Override
                public Optional<String> checkpoint(long size) throws IOException {
                    return a.checkpoint(size);
                }

                @Override
                public void saved() throws IOException {
                    a.saved();
                }

                @Override
                public void close() throws IOException {
                    a.close();
                }
            };
        }

        @Override
        public void finish(String path, String session) throws IOException {
            inner.finish(path, session);
        }

        @Override
        public void abandon(String path, String session) throws IOException {
            inner.abandon(path, session);
        }

        @Override
        public void move(String from, String to) throws IOException {
            inner.move(from, to);
        }

        @Override
        public boolean delete(String path) throws IOException {
            return inner.delete(path);
        }

        @Override
        public void deleteAll(String prefix) throws IOException {
            inner.deleteAll(prefix);
        }

        @Override
        public void walk(String prefix, Visitor visitor) throws IOException {
            inner.walk(prefix, visitor);
        }

        @Override
        public Optional<URI> redirect(String path) {
            return inner.redirect(path);
        }

        @Override
        public boolean shared() {
            return inner.shared();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
