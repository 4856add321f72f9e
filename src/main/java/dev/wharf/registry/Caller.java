package dev.wharf.registry;

import dev.wharf.audit.Actor;
import dev.wharf.auth.Principal;

/**
 * Who sent a registry request and how.
 *
 * @param principal the account and credential, or null for an anonymous caller
 * @param grant     for a bearer token, what the token grants; null otherwise
 */
record Caller(Kind kind, Principal principal, RegistryTokens.Grant grant) {

    enum Kind {
        /** No credentials. */
        ANONYMOUS,
        /** Basic credentials sent directly to a registry endpoint. */
        BASIC,
        /** A registry token from {@code /token}. */
        BEARER
    }

    static final Caller ANONYMOUS_CALLER = new Caller(Kind.ANONYMOUS, null, null);

    Actor actor() {
        return principal.actor();
    }
}
