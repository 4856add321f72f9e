package dev.wharf.registry;

import dev.wharf.auth.Principal;
import dev.wharf.repositories.Actor;

/**
 * Who sent a registry request and how.
 *
 * @param principal the account and credential, or null for an anonymous caller
 * @param grant     for a bearer token, what the token grants; null when permissions are computed per request
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
        return new Actor(principal.username(), principal.credentialUuid());
    }
}
