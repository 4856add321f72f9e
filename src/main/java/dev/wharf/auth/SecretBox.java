package dev.wharf.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the secrets Wharf keeps in its database (the JWT signing keys) with a key that is not in the database, so
 * that a copy of the database alone (a backup, a dump, a readable H2 file) cannot be used to forge sessions.
 * AES-256-GCM from the JDK, a fresh 96-bit nonce per secret, and the secret's id as associated data, so a sealed
 * value cannot be moved to another row.
 *
 * <p>The key comes from {@code WHARF_SECRET_KEY} (base64 of 32 bytes) when set, else from a file (by default
 * {@code secret.key} in the data directory), which is created 0600 with a random key on first start. Nodes that share
 * a database must share this key.
 */
public final class SecretBox {
    public static final String ENV = "WHARF_SECRET_KEY";
    private static final String PREFIX = "aesgcm:";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String origin;

    private SecretBox(byte[] key, String origin) {
        this.key = new SecretKeySpec(key, "AES");
        this.origin = origin;
    }

    /** The key from {@code fromEnvironment} (base64) if given, else from {@code file}, created if missing. */
    public static SecretBox load(String fromEnvironment, Path file) {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(fromEnvironment.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(ENV + " is not base64");
            }
            if (key.length != KEY_BYTES) {
                throw new IllegalStateException(ENV + " must hold " + KEY_BYTES + " bytes (base64), not " + key.length);
            }
            return new SecretBox(key, ENV);
        }
        return new SecretBox(fileKey(file), file.toString());
    }

    private static byte[] fileKey(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] key = new byte[KEY_BYTES];
                RANDOM.nextBytes(key);
                try {
                    Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString("rw-------"))),
                            Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII,
                            StandardOpenOption.WRITE);
                    return key;
                } catch (FileAlreadyExistsException raced) {
                    // another process created it first: use theirs
                }
            }
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            if (key.length != KEY_BYTES) {
                throw new IllegalStateException("the secret key file " + file + " must hold " + KEY_BYTES
                        + " bytes (base64)");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key file " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the secret key file " + file + " is not base64");
        }
    }

    /** Where the key came from, for error messages: the environment variable or the file. */
    public String origin() {
        return origin;
    }

    public static boolean isSealed(String stored) {
        return stored.startsWith(PREFIX);
    }

    /** Encrypts {@code secret}, bound to {@code id}. */
    public String seal(String id, byte[] secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, id, nonce);
            byte[] sealed = cipher.doFinal(secret);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /**
     * Decrypts what {@link #seal} made for {@code id}.
     *
     * @throws IllegalStateException when it was sealed with another key, or for another id
     */
    public byte[] open(String id, String stored) {
        byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, id, Arrays.copyOf(in, NONCE_BYTES));
            return cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a secret in the database was encrypted with another key than the one in "
                    + origin + "; every node that shares a database needs the same secret key");
        }
    }

    private Cipher cipher(int mode, String id, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(id.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
