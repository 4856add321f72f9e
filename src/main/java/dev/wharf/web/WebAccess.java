package dev.wharf.web;

/** What a web route needs from its caller. */
enum WebAccess {
    /** Anyone: the sign-in page, the stylesheet and scripts. */
    PUBLIC,
    /** A signed-in person; a form it receives must carry the session's CSRF token. */
    SIGNED_IN
}
