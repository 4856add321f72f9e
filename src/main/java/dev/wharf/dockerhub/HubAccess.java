package dev.wharf.dockerhub;

/** What a Hub route needs from its caller. */
enum HubAccess {
    /** Nothing: sign-in endpoints. */
    PUBLIC,
    /**
     * Anyone: an anonymous caller, or one signed in (whose credentials must then be valid). Handlers read the caller
     * with {@code HubAuth.caller}, which is null for anonymous ones.
     */
    ANYONE,
    /** A session or access token, however it was signed in. */
    SIGNED_IN,
    /**
     * Reading credentials: a password session, or a personal token with {@code api} or {@code read_api}. As on
     * Docker Hub, a token with repository scopes only cannot do account work.
     */
    CREDENTIALS_READ,
    /** Managing credentials: a password session, or a personal token with {@code api}. */
    CREDENTIALS_WRITE
}
