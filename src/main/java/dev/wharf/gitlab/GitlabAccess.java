package dev.wharf.gitlab;

/** What a GitLab route needs from its caller, as GitLab's API guard checks it. */
enum GitlabAccess {
    /** Reading tokens: a password session, or a personal token with {@code api} or {@code read_api}. */
    READ,
    /** Managing tokens: a password session, or a personal token with {@code api}. */
    WRITE,
    /** {@code POST /:id/rotate}: as {@link #WRITE}, and a revoked token presented here triggers reuse detection. */
    ROTATE,
    /** {@code GET|DELETE /self}: the authenticating personal token itself, whatever its scopes. */
    SELF,
    /** {@code POST /self/rotate}: a personal token with {@code api} or {@code self_rotate}; reuse detection. */
    SELF_ROTATE;

    boolean rotates() {
        return this == ROTATE || this == SELF_ROTATE;
    }
}
