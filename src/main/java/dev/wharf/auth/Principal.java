package dev.wharf.auth;

import dev.wharf.accounts.Account;
import dev.wharf.tokens.AccessToken;
import dev.wharf.tokens.Scope;
import java.util.UUID;

/**
 * Who is making a request, and with which credential. A password sign-in carries no token and may do whatever the
 * account may; a sign-in with a personal access token is limited to that token's scope.
 */
public record Principal(Account account, AccessToken token) {

    public static Principal password(Account account) {
        return new Principal(account, null);
    }

    public String username() {
        return account.name();
    }

    public boolean viaToken() {
        return token != null;
    }

    /** The token's uuid, for audit records; null for a password sign-in. */
    public UUID credentialUuid() {
        return token == null ? null : token.uuid();
    }

    /** Whether the credential allows {@code needed}: always for a password, else by the token's scope. */
    public boolean allows(Scope needed) {
        return token == null || token.scope().implies(needed);
    }
}
