package dev.wharf.web;

/** A page that needs a signed-in person was asked for without a session: the browser is sent to sign in. */
final class SignInRequired extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SignInRequired() {
        super("Sign in to see this page.", null, false, false);
    }
}
