package dev.wharf.auth;

import dev.wharf.core.Timestamps;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * The HMAC keys that sign sessions and registry tokens. They live in the database, so that they survive restarts and
 * every node of a scale-out deployment verifies what any other node signed, and they are stored encrypted
 * ({@link SecretBox}), so that the database alone does not give them away.
 *
 * <p>Each key has an id (the JWT's {@code kid}) and a generation; the newest generation signs, and every key still
 * stored verifies, so a key can be rotated without cutting live sessions. Creating the first key is race-free: the
 * generation is unique, so when several nodes start on an empty database at once, one insert wins and the others
 * read the winner's key.
 */
public final class SigningKeys {
    private static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One key: its id, its generation and its secret. */
    public static final class Key {
        private final String kid;
        private final int generation;
        private final byte[] secret;

        Key(String kid, int generation, byte[] secret) {
            this.kid = kid;
            this.generation = generation;
            this.secret = secret.clone();
        }

        public String kid() {
            return kid;
        }

        public int generation() {
            return generation;
        }

        byte[] secret() {
            return secret.clone();
        }
    }

    private final Jdbi jdbi;
    private final SecretBox box;
    private final Clock clock;
    private final AtomicReference<Map<String, Key>> keys = new AtomicReference<>(Map.of());
    private final AtomicReference<Key> current = new AtomicReference<>();

    private SigningKeys(Jdbi jdbi, SecretBox box, Clock clock) {
        this.jdbi = jdbi;
        this.box = box;
        this.clock = clock;
    }

    /** Loads the stored keys, creating the first one on an empty database; seals keys stored in plain text. */
    public static SigningKeys load(Jdbi jdbi, SecretBox box, Clock clock) {
        SigningKeys keys = new SigningKeys(jdbi, box, clock);
        if (keys.reload().isEmpty()) {
            keys.insert(1);
            keys.reload();
        }
        return keys;
    }

    /** The key new tokens are signed with: the newest generation. */
    public Key current() {
        return current.get();
    }

    /** The key with this id, if this node knows it (see {@link #reload}). */
    public Key byId(String kid) {
        return keys.get().get(kid);
    }

    /** Adds a key of the next generation, which then signs; older keys keep verifying. */
    public Key rotate() {
        int next = current().generation() + 1;
        insert(next);
        reload();
        return current();
    }

    /** Reads every stored key again (another node may have rotated); returns them. */
    public List<Key> reload() {
        List<Key> loaded = jdbi.inTransaction(h -> h.createQuery(
                        "SELECT kid, generation, secret FROM signing_keys ORDER BY generation")
                .map((rs, ctx) -> new Key(rs.getString(1), rs.getInt(2), open(h, rs.getString(1), rs.getString(3))))
                .list());
        if (!loaded.isEmpty()) {
            keys.set(loaded.stream().collect(Collectors.toUnmodifiableMap(Key::kid, Function.identity())));
            current.set(loaded.stream().max(Comparator.comparingInt(Key::generation)).orElseThrow());
        }
        return loaded;
    }

    /** A stored secret in clear; one kept in plain text by an older version is sealed on the way. */
    private byte[] open(Handle h, String kid, String stored) {
        if (SecretBox.isSealed(stored)) {
            return box.open(kid, stored);
        }
        byte[] secret = Base64.getDecoder().decode(stored);
        h.createUpdate("UPDATE signing_keys SET secret = :s WHERE kid = :k")
                .bind("s", box.seal(kid, secret)).bind("k", kid).execute();
        return secret;
    }

    private void insert(int generation) {
        byte[] secret = new byte[KEY_BYTES];
        RANDOM.nextBytes(secret);
        String kid = UUID.randomUUID().toString();
        try {
            jdbi.useHandle(h -> h.createUpdate("INSERT INTO signing_keys (kid, generation, secret, created_at)"
                            + " VALUES (:k, :g, :s, :at)")
                    .bind("k", kid).bind("g", generation).bind("s", box.seal(kid, secret))
                    .bind("at", Timestamps.now(clock)).execute());
        } catch (UnableToExecuteStatementException e) {
            if (!(e.getCause() instanceof SQLException sql) || !"23505".equals(sql.getSQLState())) {
                throw e;
            }
            // another node created this generation first; reload() reads theirs
        }
    }
}
