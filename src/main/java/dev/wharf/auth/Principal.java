package dev.wharf.auth;

import dev.wharf.accounts.Account;
import dev.wharf.audit.Actor;
import dev.wharf.credentials.Credential;
import java.util.UUID;

/**
 * Who is making a request, and with which credential. A password sign-in carries none and may do whatever the
 * account may; one with a personal token is limited to the token's scopes; a robot acts for its organization,
 * limited to its resources (see {@link dev.wharf.access.AccessPolicy}).
 *
 * @param account the user, or for a robot its organization
 */
public record Principal(Account account, Credential credential) {

    public static Principal password(Account account) {
        return new Principal(account, null);
    }

    public String username() {
        return account.name();
    }

    public boolean viaCredential() {
        return credential != null;
    }

    public boolean isRobot() {
        return credential != null && credential.isRobot();
    }

    /** The credential's uuid, for audit records; null for a password sign-in. */
    public UUID credentialUuid() {
        return credential == null ? null : credential.uuid();
    }

    /** This principal as the actor of a change, for the audit log. */
    public Actor actor() {
        return new Actor(account.id(), account.name(), credentialUuid());
    }
}
