package dev.wharf.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.Optional;
import java.util.UUID;

/**
 * How every Wharf JWT names its principal: the subject is the account's uuid, {@code uid} its id, {@code name} its
 * name (for people reading a token, never for decisions), and {@code pat} the credential it came from (a personal
 * token or a robot; the claim kept the name it had when only personal tokens existed).
 */
public final class TokenClaims {
    private TokenClaims() {
    }

    /** The identity a token's claims carry; {@code credential} is null for a password sign-in. */
    public record Identity(long accountId, UUID accountUuid, UUID credential) {
    }

    public static void claims(JWTClaimsSet.Builder builder, Principal principal) {
        builder.claim("uid", principal.account().id());
        builder.claim("name", principal.username());
        if (principal.viaCredential()) {
            builder.claim("pat", principal.credentialUuid().toString());
        }
    }

    /** The identity in verified claims; empty when they name none (an anonymous registry token) or are malformed. */
    public static Optional<Identity> identity(JWTClaimsSet claims) {
        try {
            Long uid = claims.getLongClaim("uid");
            String subject = claims.getSubject();
            if (uid == null || subject == null) {
                return Optional.empty();
            }
            String pat = claims.getStringClaim("pat");
            return Optional.of(new Identity(uid, UUID.fromString(subject), pat == null ? null : UUID.fromString(pat)));
        } catch (ParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
