package dev.wharf.auth;

import dev.wharf.core.Clock;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The HMAC key that signs sessions and registry tokens. It lives in the database, so that it survives restarts and
 * every node of a scale-out deployment verifies what any other node signed.
 */
public record SigningKeys(String kid, byte[] secret) {

    public static SigningKeys loadOrCreate(Jdbi jdbi) {
        return jdbi.inTransaction(h -> {
            var existing = h.createQuery("SELECT kid, secret FROM signing_keys ORDER BY created_at DESC, kid LIMIT 1")
                    .map((rs, ctx) -> new SigningKeys(rs.getString(1), Base64.getDecoder().decode(rs.getString(2))))
                    .findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            String kid = UUID.randomUUID().toString();
            h.createUpdate("INSERT INTO signing_keys (kid, secret, created_at) VALUES (:k, :s, :at)")
                    .bind("k", kid).bind("s", Base64.getEncoder().encodeToString(secret)).bind("at", Clock.now())
                    .execute();
            return new SigningKeys(kid, secret);
        });
    }
}
