package dev.wharf.accounts;

import dev.wharf.core.CpuBound;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Semaphore;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (Bouncy Castle), stored in the PHC string format
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}. The parameters are OWASP's minimum recommendation and are
 * read back from each stored hash, so they can be raised later without invalidating old hashes.
 */
public final class PasswordHasher {
    private static final int MEMORY_KIB = 19 * 1024;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    /**
     * Each derivation holds {@code m} KiB of heap. Unbounded, a burst of sign-ins (or of registry requests with Basic
     * passwords) exhausts a small heap: 100 at once need 2 GiB. At most a quarter of the heap goes to derivations,
     * and never more at once than there are CPUs, since a derivation is CPU-bound; the rest wait their turn.
     */
    private static final Semaphore DERIVATIONS = new Semaphore((int) Math.max(1, Math.min(
            Runtime.getRuntime().availableProcessors(),
            Runtime.getRuntime().maxMemory() / 4 / (MEMORY_KIB * 1024L))), true);

    private final SecureRandom random = new SecureRandom();
    /** Verified against when the user does not exist, so timing does not reveal which names exist. */
    private final String decoy = hash("decoy-password-for-unknown-users");

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] out = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
    }

    /** Constant-time check of {@code password} against a stored hash; a null hash is checked against a decoy. */
    public boolean verify(String password, String stored) {
        boolean known = stored != null;
        String[] parts = (known ? stored : decoy).split("\\$", -1);
        if (parts.length != 6 || !"argon2id".equals(parts[1])) {
            return false;
        }
        int m = 0;
        int t = 0;
        int p = 0;
        for (String kv : parts[3].split(",", -1)) {
            int value = Integer.parseInt(kv.substring(2));
            switch (kv.charAt(0)) {
                case 'm' -> m = value;
                case 't' -> t = value;
                case 'p' -> p = value;
                default -> {
                    return false;
                }
            }
        }
        byte[] expected = B64D.decode(parts[5]);
        byte[] actual = derive(password, B64D.decode(parts[4]), m, t, p, expected.length);
        return MessageDigest.isEqual(expected, actual) && known;
    }

    private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism,
                                 int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .build();
        // The permit is taken on the caller's thread, so that a CpuBound worker never waits for one.
        DERIVATIONS.acquireUninterruptibly();
        try {
            return CpuBound.call(() -> {
                Argon2BytesGenerator generator = new Argon2BytesGenerator();
                generator.init(params);
                byte[] out = new byte[length];
                generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
                return out;
            });
        } finally {
            DERIVATIONS.release();
        }
    }
}
