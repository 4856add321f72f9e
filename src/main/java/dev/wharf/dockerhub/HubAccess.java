package dev.wharf.dockerhub;

/** What a Hub route needs from its caller. */
enum HubAccess {
    /** Nothing: sign-in endpoints. */
    PUBLIC,
    /** A session or access token, however it was signed in. */
    SIGNED_IN,
    /** A session signed in with a password: as on Docker Hub, an access token cannot do account work. */
    PASSWORD_SESSION
}
