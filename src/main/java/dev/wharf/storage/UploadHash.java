package dev.wharf.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The running SHA-256 of an upload, and how many bytes it has taken. Two kinds, because on this hardware the JDK's
 * digest (SHA-NI intrinsics, about 1.5 GB/s) is ten times faster than Bouncy Castle's (about 155 MB/s), and only
 * Bouncy Castle's can save its state:
 * <ul>
 *   <li>{@link #saveable()}: Bouncy Castle, whose state is saved with the upload after every append, so that any
 *       node continues it without reading back a byte (stores that several nodes share);</li>
 *   <li>{@link #local()}: the JDK's, kept in memory by the process that writes the upload; another process rebuilds
 *       it once by reading the bytes back (a data directory, which only one process uses, reads back at disk speed,
 *       still faster than hashing every byte with Bouncy Castle).</li>
 * </ul>
 */
abstract class UploadHash {
    private long hashed;

    private UploadHash(long hashed) {
        this.hashed = hashed;
    }

    static UploadHash local() {
        return new Local();
    }

    static UploadHash saveable() {
        return new Saveable(new SHA256Digest(), 0);
    }

    /** A saveable hash continued from {@link #saved()}, having taken {@code size} bytes. */
    static UploadHash restore(String saved, long size) {
        return new Saveable(new SHA256Digest(Base64.getDecoder().decode(saved)), size);
    }

    final long hashed() {
        return hashed;
    }

    final void update(byte[] data, int offset, int length) {
        feed(data, offset, length);
        hashed += length;
    }

    abstract void feed(byte[] data, int offset, int length);

    /** The digest of the bytes so far; the hash can go on taking more. */
    abstract Digest digest();

    /** The state to continue from in another process, or null when this kind cannot save it. */
    abstract String saved();

    private static final class Local extends UploadHash {
        private final MessageDigest sha;

        Local() {
            super(0);
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        void feed(byte[] data, int offset, int length) {
            sha.update(data, offset, length);
        }

        @Override
        Digest digest() {
            try {
                return Digest.of(((MessageDigest) sha.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        String saved() {
            return null;
        }
    }

    private static final class Saveable extends UploadHash {
        private final SHA256Digest sha;

        Saveable(SHA256Digest sha, long hashed) {
            super(hashed);
            this.sha = sha;
        }

        @Override
        void feed(byte[] data, int offset, int length) {
            sha.update(data, offset, length);
        }

        @Override
        Digest digest() {
            byte[] out = new byte[32];
            new SHA256Digest(sha).doFinal(out, 0);
            return Digest.of(out);
        }

        @Override
        String saved() {
            return Base64.getEncoder().encodeToString(sha.getEncodedState());
        }
    }
}
