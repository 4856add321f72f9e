package dev.wharf.dockerhub;

/** What a Hub route needs from its caller. */
enum HubAccess {
    /** Nothing: sign-in endpoints. */
    PUBLIC,
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
