package dev.wharf.auth;

import dev.wharf.accounts.Account;
import dev.wharf.audit.Actor;
import dev.wharf.tokens.AccessToken;
import java.util.UUID;

/**
 * Who is making a request, and with which credential. A password sign-in carries no token and may do whatever the
 * account may; a sign-in with a personal access token is limited to that token's scope (see
 * {@link dev.wharf.access.AccessPolicy}).
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

    /** This principal as the actor of a change, for the audit log. */
    public Actor actor() {
        return new Actor(account.id(), account.name(), credentialUuid());
    }
}
