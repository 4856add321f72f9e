package dev.wharf.ionos;

/**
 * What an IONOS route needs: every one a caller who may manage credentials (a password, its session, or a personal
 * token with {@code api}); reading also admits {@code read_api}.
 */
enum IonosAccess {
    READ, WRITE
}
