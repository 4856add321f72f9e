package dev.wharf.storage;

/** The failures a {@link BlobStore} reports, whatever its backend. */
public abstract class BlobStoreException extends RuntimeException {

    private BlobStoreException(String message) {
        super(message, null, false, false);
    }

    /** No committed blob has this digest. */
    public static final class BlobUnknown extends BlobStoreException {
        public BlobUnknown(Digest digest) {
            super("blob unknown: " + digest);
        }
    }

    /** No upload has this id. */
    public static final class UploadUnknown extends BlobStoreException {
        public UploadUnknown(String id) {
            super("upload unknown: " + id);
        }
    }

    /** A chunk was sent for an offset other than the upload's current size. */
    public static final class OffsetMismatch extends BlobStoreException {
        private final long currentSize;

        public OffsetMismatch(long expected, long currentSize) {
            super("chunk starts at " + expected + " but the upload holds " + currentSize + " bytes");
            this.currentSize = currentSize;
        }

        public long currentSize() {
            return currentSize;
        }
    }

    /** The uploaded content does not have the digest the client named. */
    public static final class DigestMismatch extends BlobStoreException {
        public DigestMismatch(Digest expected, Digest actual) {
            super("content has digest " + actual + ", not " + expected);
        }
    }
}
