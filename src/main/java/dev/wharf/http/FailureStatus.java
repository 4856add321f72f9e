package dev.wharf.http;

import dev.wharf.core.DomainException;

/** The HTTP status of each kind of normalised failure, for dialects whose codes follow HTTP's own. */
public final class FailureStatus {
    private FailureStatus() {
    }

    public static int of(Throwable failure) {
        if (failure instanceof DomainException.Invalid) {
            return 400;
        } else if (failure instanceof DomainException.Unauthenticated) {
            return 401;
        } else if (failure instanceof DomainException.Forbidden) {
            return 403;
        } else if (failure instanceof DomainException.NotFound) {
            return 404;
        } else if (failure instanceof RouteNotFound missing) {
            return missing.isMethodNotAllowed() ? 405 : 404;
        } else if (failure instanceof ClientGone) {
            return 408;
        } else if (failure instanceof DomainException.Conflict) {
            return 409;
        } else if (failure instanceof DomainException.TooLarge) {
            return 413;
        } else if (failure instanceof DomainException.RateLimited) {
            return 429;
        } else if (failure instanceof DomainException.Unavailable) {
            return 503;
        }
        return 500;
    }
}
