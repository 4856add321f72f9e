package dev.wharf.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link BlobStore} keeps. An implementation's test extends this class and supplies a fresh, empty
 * store; every test also checks that no upload is left behind.
 */
public abstract class BlobStoreContract {
    protected BlobStore store;

    /** A new, empty store. */
    protected abstract BlobStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        assertThat(store.uploadsIdleSince(Instant.now().plusSeconds(3600))).as("uploads left behind").isEmpty();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Digest digestOf(byte[] data) throws Exception {
        return Digest.of(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private byte[] read(Digest d, long offset, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.send(d, offset, length, Channels.newChannel(out));
        return out.toByteArray();
    }

    /** Starts an upload holding {@code data} and returns its id. */
    protected String upload(byte[] data) throws IOException {
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(data));
        return id;
    }

    /** Runs {@code task} {@code times} times on 8 threads and returns the results, failing after a minute. */
    static <T> List<T> inParallel(int times, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < times; i++) {
                futures.add(pool.submit(task));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    protected Digest put(byte[] data) throws Exception {
        String id = upload(data);
        Digest d = digestOf(data);
        assertThat(store.commit(id, d)).isEqualTo(data.length);
        return d;
    }

    @Test
    void committedBlobReadsBackWhole() throws Exception {
        byte[] data = random(3 * 1024 * 1024 + 17, 1);
        Digest d = put(data);
        assertThat(store.size(d)).hasValue(data.length);
        assertThat(read(d, 0, data.length)).isEqualTo(data);
    }

    @Test
    void readsAtAnOffset() throws Exception {
        byte[] data = random(100_000, 2);
        Digest d = put(data);
        byte[] part = read(d, 12_345, 1000);
        assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(data, 12_345, 13_345));
        assertThat(read(d, data.length - 1, 1)).containsExactly(data[data.length - 1]);
    }

    @Test
    void zeroLengthBlob() throws Exception {
        Digest d = put(new byte[0]);
        assertThat(d.toString()).isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(store.size(d)).hasValue(0);
        assertThat(read(d, 0, 0)).isEmpty();
    }

    @Test
    void chunkedAppendsAccumulateInOrder() throws Exception {
        byte[] data = random(2_500_000, 3);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        assertThat(store.uploadSize(id)).hasValue(0);
        assertThat(store.append(id, 0, new ByteArrayInputStream(data, 0, 1_000_000))).isEqualTo(1_000_000);
        assertThat(store.append(id, 1_000_000, new ByteArrayInputStream(data, 1_000_000, 1_000_000)))
                .isEqualTo(2_000_000);
        assertThat(store.append(id, -1, new ByteArrayInputStream(data, 2_000_000, 500_000))).isEqualTo(2_500_000);
        assertThat(store.uploadSize(id)).hasValue(2_500_000);
        Digest d = digestOf(data);
        store.commit(id, d);
        assertThat(read(d, 0, data.length)).isEqualTo(data);
        assertThat(store.uploadSize(id)).isEmpty();
    }

    /**
     * Chunks that start and end at every kind of offset: inside a disk block, on a block boundary, across the 1 MiB
     * buffers a store may use, one byte long.
     */
    @Test
    void chunksOfAnySizeAndAlignmentAccumulate() throws Exception {
        int[] chunks = {1, 4095, 4096, 4097, 1 << 20, (1 << 20) + 1, 7, 8191, 3_000_001, 513, 0, 65_536};
        byte[] data = random(java.util.Arrays.stream(chunks).sum(), 12);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        int at = 0;
        for (int n : chunks) {
            assertThat(store.append(id, at, new ByteArrayInputStream(data, at, n))).isEqualTo(at + n);
            at += n;
            assertThat(store.uploadSize(id)).hasValue(at);
        }
        Digest d = digestOf(data);
        assertThat(store.commit(id, d)).isEqualTo(data.length);
        assertThat(read(d, 0, data.length)).isEqualTo(data);
    }

    @Test
    void appendAtTheWrongOffsetWritesNothing() throws Exception {
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        store.append(id, 0, new ByteArrayInputStream(new byte[10]));
        assertThatThrownBy(() -> store.append(id, 5, new ByteArrayInputStream(new byte[10])))
                .isInstanceOfSatisfying(DomainException.Conflict.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UPLOAD_OFFSET));
        assertThat(store.uploadSize(id)).hasValue(10);
        store.cancelUpload(id);
    }

    @Test
    void wrongDigestIsRefusedAndNothingBecomesVisible() throws Exception {
        byte[] data = random(50_000, 4);
        String id = upload(data);
        Digest wrong = digestOf(random(10, 5));
        assertThatThrownBy(() -> store.commit(id, wrong)).isInstanceOfSatisfying(DomainException.Invalid.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_INVALID));
        assertThat(store.size(wrong)).isEmpty();
        assertThat(store.size(digestOf(data))).isEmpty();
        assertThat(store.uploadSize(id)).isEmpty();
    }

    @Test
    void anUploadIsInvisibleUntilCommitted() throws Exception {
        byte[] data = random(10_000, 6);
        String id = upload(data);
        assertThat(store.size(digestOf(data))).isEmpty();
        assertThatThrownBy(() -> read(digestOf(data), 0, 1)).isInstanceOfSatisfying(DomainException.NotFound.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.BLOB_UNKNOWN));
        store.cancelUpload(id);
        assertThat(store.uploadSize(id)).isEmpty();
    }

    @Test
    void committingTheSameContentTwiceIsHarmless() throws Exception {
        byte[] data = random(70_000, 7);
        Digest first = put(data);
        Digest second = put(data);
        assertThat(second).isEqualTo(first);
        assertThat(read(first, 0, data.length)).isEqualTo(data);
    }

    @Test
    void concurrentUploadsOfOneBlobAllSucceed() throws Exception {
        byte[] data = random(1_500_000, 8);
        Digest d = digestOf(data);
        List<Long> sizes = inParallel(16, () -> store.commit(upload(data), d));
        assertThat(sizes).hasSize(16).containsOnly((long) data.length);
        assertThat(read(d, 0, data.length)).isEqualTo(data);
    }

    @Test
    void concurrentReadsSeeTheSameBytes() throws Exception {
        byte[] data = random(2_000_000, 9);
        Digest d = put(data);
        assertThat(inParallel(16, () -> read(d, 0, data.length))).hasSize(16).allSatisfy(r ->
                assertThat(r).isEqualTo(data));
    }

    @Test
    void aFailedStreamKeepsWhatArrivedAndTheUploadResumes() throws Exception {
        byte[] data = random(3_000_000, 10);
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        InputStream failing = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos >= 1_200_000) {
                    throw new IOException("connection reset");
                }
                return data[pos++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= 1_200_000) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(len, 1_200_000 - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        assertThatThrownBy(() -> store.append(id, 0, failing)).isInstanceOf(IOException.class);
        long kept = store.uploadSize(id).orElseThrow();
        assertThat(kept).isBetween(0L, 1_200_000L);
        store.append(id, kept, new ByteArrayInputStream(data, (int) kept, data.length - (int) kept));
        Digest d = digestOf(data);
        store.commit(id, d);
        assertThat(read(d, 0, data.length)).isEqualTo(data);
    }

    @Test
    void unknownUploadsAndBlobsAreReported() throws Exception {
        String id = UUID.randomUUID().toString();
        assertThat(store.uploadSize(id)).isEmpty();
        assertThatThrownBy(() -> store.append(id, 0, new ByteArrayInputStream(new byte[1])))
                .isInstanceOfSatisfying(DomainException.NotFound.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UPLOAD_UNKNOWN));
        assertThatThrownBy(() -> store.commit(id, digestOf(new byte[0])))
                .isInstanceOfSatisfying(DomainException.NotFound.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UPLOAD_UNKNOWN));
        store.cancelUpload(id);
        Digest missing = digestOf(random(5, 11));
        assertThat(store.size(missing)).isEmpty();
        assertThat(store.delete(missing)).isFalse();
    }

    @Test
    void maliciousUploadIdsAreRefused() {
        for (String bad : new String[] {"../x", "a/b", "", "..", "x".repeat(65), "a b"}) {
            assertThatThrownBy(() -> store.createUpload(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void deleteRemovesABlob() throws Exception {
        Digest d = put(random(1000, 12));
        assertThat(store.delete(d)).isTrue();
        assertThat(store.size(d)).isEmpty();
    }

    @Test
    void idleUploadsAreListedForCleanup() throws Exception {
        String id = UUID.randomUUID().toString();
        store.createUpload(id);
        assertThat(store.uploadsIdleSince(Instant.now().minusSeconds(3600))).doesNotContain(id);
        assertThat(store.uploadsIdleSince(Instant.now().plusSeconds(5))).contains(id);
        store.cancelUpload(id);
    }
}
