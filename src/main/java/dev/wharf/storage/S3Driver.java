package dev.wharf.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A {@link StorageDriver} on an S3 bucket (AWS S3, MinIO, Ceph RGW, Garage, S3Proxy), with the AWS SDK's synchronous
 * client over the JDK's HTTP connection.
 *
 * <p>An upload's bytes become parts of one S3 multipart upload, created when the first part is ready. S3 wants every
 * part but the last to be at least 5 MiB, and its length before it is sent; so bytes go into a pooled part buffer of
 * {@link #PART_SIZE}, which is sent as a part when full. What is left at the end of an append is sent as a part too
 * when it is at least {@link #MIN_PART}; a smaller rest is staged as a {@code tail-<random>} object beside the
 * upload, read back into the part buffer by the next append, and copied server-side as the last part at commit. An
 * append that only ever has chunks of at least 5 MiB, and a commit, read back nothing.
 *
 * <p>The session (multipart upload id, parts with their ETags, the tail) is saved by the store with the upload's
 * state, so that any node continues the upload.
 */
final class S3Driver implements StorageDriver {
    static final int MIN_PART = 5 << 20;
    /** With S3's 10,000 parts, the largest blob is 78 GiB. */
    static final int PART_SIZE = 8 << 20;
    private static final int MAX_PARTS = 10_000;
    /** Objects above this size are copied in parts: S3 copies at most 5 GiB in one request. */
    private static final long COPY_MAX = 5L << 30;
    private static final long COPY_PART = 1L << 30;
    private static final Duration REDIRECT_LIFETIME = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Part buffers: their bound caps how many appends run at once, which then wait (and TCP pushes back). */
    private static final BufferPool<byte[]> PART_BUFFERS = BufferPool.heap(PART_SIZE);
    /** Sends parts while the next fills; as many at once as there are part buffers to fill, so bounded. */
    private static final ExecutorService PART_SENDERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wharf-s3-part");
        t.setDaemon(true);
        return t;
    });
    private static final BufferPool<byte[]> READ_BUFFERS = BufferPool.heap(1 << 20);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final String prefix;

    S3Driver(S3Settings settings) {
        AwsCredentialsProvider credentials = settings.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                        settings.secretKey()));
        Region region = Region.of(settings.region());
        S3Configuration service = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        var builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(service)
                // Checksums only where S3 requires them: S3-compatible services do not all know the newer ones, and
                // the store verifies every blob's SHA-256 itself.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presign = S3Presigner.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(service);
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
            presign.endpointOverride(settings.endpoint());
        }
        this.s3 = builder.build();
        this.presigner = settings.redirect() ? presign.build() : null;
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Optional<String> problem() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return Optional.empty();
        } catch (S3Exception e) {
            return Optional.of(e.statusCode() == 404 ? "bucket " + bucket + " does not exist"
                    : "bucket " + bucket + " refused access (HTTP " + e.statusCode() + ")");
        } catch (SdkException e) {
            return Optional.of("bucket " + bucket + " is unreachable: " + e.getMessage());
        }
    }

    private String key(String path) {
        return prefix + path;
    }

    private static boolean missing(S3Exception e) {
        return e.statusCode() == 404;
    }

    @Override
    public Optional<Stat> stat(String path) throws IOException {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key(path)));
            return Optional.of(new Stat(head.contentLength(), head.lastModified()));
        } catch (S3Exception e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw failure("stat", path, e);
        } catch (SdkException e) {
            throw failure("stat", path, e);
        }
    }

    private static IOException failure(String what, String path, SdkException e) {
        return new IOException("S3 " + what + " of " + path + " failed: " + e.getMessage(), e);
    }

    @Override
    public void read(String path, long offset, long length, WritableByteChannel target) throws IOException {
        if (length == 0) {
            if (stat(path).isEmpty()) {
                throw new NoSuchFileException(path);
            }
            return;
        }
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key(path))
                .range(range))) {
            copy(in, length, target);
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(path);
        } catch (S3Exception e) {
            if (missing(e)) {
                throw new NoSuchFileException(path);
            }
            throw failure("read", path, e);
        } catch (SdkException e) {
            throw failure("read", path, e);
        }
    }

    /** Streams the response through a pooled buffer, borrowed per chunk so that a slow client holds none. */
    private static void copy(InputStream in, long length, WritableByteChannel target) throws IOException {
        long left = length;
        while (left > 0) {
            byte[] buffer = READ_BUFFERS.take();
            try {
                int n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, left));
                if (n <= 0) {
                    throw new IOException("object is shorter than expected");
                }
                left -= n;
                ByteBuffer out = ByteBuffer.wrap(buffer, 0, n);
                while (out.hasRemaining()) {
                    target.write(out);
                }
            } finally {
                READ_BUFFERS.give(buffer);
            }
        }
    }

    @Override
    public void put(String path, byte[] content) throws IOException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(key(path)), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw failure("write", path, e);
        }
    }

    @Override
    public Optional<byte[]> get(String path, int maxSize) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key(path)))) {
            if (in.response().contentLength() > maxSize) {
                throw new IOException(path + " is larger than " + maxSize + " bytes");
            }
            return Optional.of(in.readNBytes(maxSize));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (missing(e)) {
                return Optional.empty();
            }
            throw failure("read", path, e);
        } catch (SdkException e) {
            throw failure("read", path, e);
        }
    }

    /** One part of the multipart upload, as {@code CompleteMultipartUpload} needs it. */
    record Part(int number, String etag, long size) {
    }

    /**
     * An upload's progress: the multipart upload (null until its first part), its parts, and the staged tail (null
     * when there is none) holding the bytes after the last part.
     */
    record Session(String uploadId, List<Part> parts, String tail, long tailSize) {
        static Session parse(String text) throws IOException {
            return text.isEmpty() ? new Session(null, List.of(), null, 0) : JSON.readValue(text, Session.class);
        }

        String text() throws IOException {
            return JSON.writeValueAsString(this);
        }
    }

    @Override
    public Appender append(String path, String session, long size) throws IOException {
        return new PartAppender(path, Session.parse(session));
    }

    /** A part upload under way, and the buffer it reads, which goes back to the pool once it is done. */
    private static final class InFlight {
        final byte[] buffer;
        final Future<Part> part;

        InFlight(byte[] buffer, Future<Part> part) {
            this.buffer = buffer;
            this.part = part;
        }
    }

    private final class PartAppender implements Appender {
        private final String path;
        private final Session start;
        private String uploadId;
        private final List<Part> parts;
        private byte[] buffer;
        private int pending;
        private String tail;
        private long tailSize;
        /** The tail this append replaced, deleted once the new session is saved. */
        private String superseded;
        /** The part being uploaded while the next one fills, or null. */
        private InFlight inFlight;

        PartAppender(String path, Session start) {
            this.path = path;
            this.start = start;
            this.uploadId = start.uploadId();
            this.parts = new ArrayList<>(start.parts());
            this.tail = start.tail();
            this.tailSize = start.tailSize();
        }

        @Override
        public void write(byte[] data, int offset, int length) throws IOException {
            if (buffer == null) {
                buffer = PART_BUFFERS.take();
                if (tail != null) {
                    // The staged tail goes first into the next part; it is at most one part, never a whole upload.
                    readTail();
                }
            }
            int done = 0;
            while (done < length) {
                int n = Math.min(length - done, buffer.length - pending);
                System.arraycopy(data, offset + done, buffer, pending, n);
                pending += n;
                done += n;
                if (pending == buffer.length) {
                    sendPart();
                }
            }
        }

        private void readTail() throws IOException {
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key(tail)))) {
                int n = in.readNBytes(buffer, 0, (int) tailSize);
                if (n != tailSize) {
                    throw new IOException("staged tail " + tail + " holds " + n + " bytes, not " + tailSize);
                }
            } catch (SdkException e) {
                throw failure("read", tail, e);
            }
            pending = (int) tailSize;
            superseded = tail;
            tail = null;
            tailSize = 0;
        }

        /**
         * Sends the part buffer as the next part. The upload runs on its own thread while the next part fills, when a
         * second buffer is free: so reading the client and hashing overlap the upload instead of waiting for it. At
         * most one part is in flight, and a second buffer is only ever tried for, never waited for, since appends
         * that each hold one buffer and wait for another would wait for each other forever.
         */
        private void sendPart() throws IOException {
            awaitInFlight();
            if (parts.size() >= MAX_PARTS) {
                throw new IOException("an S3 upload holds at most " + MAX_PARTS + " parts of " + PART_SIZE
                        + " bytes");
            }
            if (uploadId == null) {
                try {
                    uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key(path))).uploadId();
                } catch (SdkException e) {
                    throw failure("part upload", path, e);
                }
            }
            int number = parts.size() + 1;
            int length = pending;
            byte[] full = buffer;
            byte[] next = PART_BUFFERS.tryTake();
            if (next == null) {
                parts.add(uploadPart(uploadId, number, full, length));
            } else {
                String id = uploadId;
                inFlight = new InFlight(full, PART_SENDERS.submit(() -> uploadPart(id, number, full, length)));
                buffer = next;
            }
            pending = 0;
        }

        private Part uploadPart(String id, int number, byte[] bytes, int length) throws IOException {
            try {
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key(path)).uploadId(id)
                                .partNumber(number).contentLength((long) length),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                                "application/octet-stream")).eTag();
                return new Part(number, etag, length);
            } catch (SdkException e) {
                throw failure("part upload", path, e);
            }
        }

        /**
         * Waits for the part in flight, if any, and gives its buffer back. The wait ignores interrupts (the SDK's
         * timeouts bound it): the buffer must not go back to the pool while the upload still reads it.
         */
        private void awaitInFlight() throws IOException {
            if (inFlight == null) {
                return;
            }
            InFlight sending = inFlight;
            inFlight = null;
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        parts.add(sending.part.get());
                        return;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof IOException io) {
                            throw io;
                        }
                        throw new IOException("part upload of " + path + " failed", e.getCause());
                    }
                }
            } finally {
                PART_BUFFERS.give(sending.buffer);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public String flush() throws IOException {
            if (buffer == null) {
                return start.text(); // nothing was written
            }
            if (pending >= MIN_PART) {
                sendPart();
            }
            awaitInFlight();
            if (pending > 0) {
                String staged = path.substring(0, path.lastIndexOf('/') + 1) + "tail-" + UUID.randomUUID();
                put(staged, java.util.Arrays.copyOf(buffer, pending));
                tail = staged;
                tailSize = pending;
                pending = 0;
            }
            return new Session(uploadId, parts, tail, tailSize).text();
        }

        /** Whenever the parts sent so far hold exactly {@code size} bytes (the part buffer's are not sent yet). */
        @Override
        public Optional<String> checkpoint(long size) throws IOException {
            awaitInFlight();
            long sent = 0;
            for (Part p : parts) {
                sent += p.size();
            }
            return sent == size ? Optional.of(new Session(uploadId, parts, null, 0).text()) : Optional.empty();
        }

        @Override
        public void saved() throws IOException {
            if (superseded != null) {
                delete(superseded);
                superseded = null;
            }
        }

        @Override
        public void close() {
            try {
                awaitInFlight();
            } catch (IOException e) {
                // The append failed or is abandoned: the part's outcome no longer matters, only its buffer.
            }
            if (buffer != null) {
                PART_BUFFERS.give(buffer);
                buffer = null;
            }
        }
    }

    /** Completes the multipart upload, the staged tail copied server-side as its last part. */
    @Override
    public void finish(String path, String sessionText) throws IOException {
        Session session = Session.parse(sessionText);
        try {
            if (session.uploadId() == null) {
                if (session.tail() != null) {
                    copy(session.tail(), path, session.tailSize());
                } else {
                    put(path, new byte[0]);
                }
                return;
            }
            List<CompletedPart> completed = new ArrayList<>();
            for (Part p : session.parts()) {
                completed.add(CompletedPart.builder().partNumber(p.number()).eTag(p.etag()).build());
            }
            if (session.tail() != null) {
                int number = session.parts().size() + 1;
                String etag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(key(session.tail()))
                        .destinationBucket(bucket).destinationKey(key(path)).uploadId(session.uploadId())
                        .partNumber(number)).copyPartResult().eTag();
                completed.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key(path)).uploadId(session.uploadId())
                    .multipartUpload(m -> m.parts(completed)));
        } catch (SdkException e) {
            throw failure("completion", path, e);
        }
    }

    @Override
    public void abandon(String path, String sessionText) throws IOException {
        Session session = Session.parse(sessionText);
        if (session.uploadId() == null) {
            return;
        }
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key(path)).uploadId(session.uploadId()));
        } catch (NoSuchUploadException e) {
            // already gone
        } catch (SdkException e) {
            throw failure("abort", path, e);
        }
    }

    /** A server-side copy, then a delete of the source. */
    @Override
    public void move(String from, String to) throws IOException {
        Stat stat = stat(from).orElseThrow(() -> new NoSuchFileException(from));
        copy(from, to, stat.size());
        delete(from);
    }

    private void copy(String from, String to, long size) throws IOException {
        try {
            if (size <= COPY_MAX) {
                s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(key(from))
                        .destinationBucket(bucket).destinationKey(key(to)));
                return;
            }
            String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key(to))).uploadId();
            List<CompletedPart> completed = new ArrayList<>();
            for (long at = 0; at < size; at += COPY_PART) {
                int number = completed.size() + 1;
                String range = "bytes=" + at + "-" + (Math.min(size, at + COPY_PART) - 1);
                String etag = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(key(from))
                        .destinationBucket(bucket).destinationKey(key(to)).uploadId(uploadId)
                        .partNumber(number).copySourceRange(range)).copyPartResult().eTag();
                completed.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key(to)).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(completed)));
        } catch (SdkException e) {
            throw failure("copy", from, e);
        }
    }

    @Override
    public boolean delete(String path) throws IOException {
        if (stat(path).isEmpty()) {
            return false;
        }
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key(path)));
            return true;
        } catch (SdkException e) {
            throw failure("delete", path, e);
        }
    }

    @Override
    public void deleteAll(String directory) throws IOException {
        List<ObjectIdentifier> batch = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(key(directory))).contents()) {
                batch.add(ObjectIdentifier.builder().key(o.key()).build());
                if (batch.size() == 1000) {
                    deleteBatch(batch);
                }
            }
            deleteBatch(batch);
        } catch (SdkException e) {
            throw failure("delete", directory, e);
        }
    }

    private void deleteBatch(List<ObjectIdentifier> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<ObjectIdentifier> keys = List.copyOf(batch);
        s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(keys).quiet(true)));
        batch.clear();
    }

    /** ListObjectsV2, a page of at most 1,000 keys at a time. */
    @Override
    public void walk(String directory, Visitor visitor) throws IOException {
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(key(directory))).contents()) {
                visitor.visit(o.key().substring(prefix.length()), new Stat(o.size(), o.lastModified()));
            }
        } catch (SdkException e) {
            throw failure("listing", directory, e);
        }
    }

    @Override
    public Optional<URI> redirect(String path) {
        if (presigner == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(presigner.presignGetObject(p -> p.signatureDuration(REDIRECT_LIFETIME)
                    .getObjectRequest(g -> g.bucket(bucket).key(key(path)))).url().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        s3.close();
        if (presigner != null) {
            presigner.close();
        }
    }
}
