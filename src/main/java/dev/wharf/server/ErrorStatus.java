package dev.wharf.server;

import dev.wharf.core.DomainException;

/** The HTTP status of each domain failure, shared by every dialect; anything unexpected is a 500. */
public final class ErrorStatus {
    private ErrorStatus() {
    }

    public static int of(Throwable error) {
        if (error instanceof DomainException.Invalid) {
            return 400;
        } else if (error instanceof DomainException.Unauthenticated) {
            return 401;
        } else if (error instanceof DomainException.Forbidden) {
            return 403;
        } else if (error instanceof DomainException.NotFound) {
            return 404;
        } else if (error instanceof DomainException.Conflict) {
            return 409;
        } else if (error instanceof DomainException.RateLimited) {
            return 429;
        }
        return 500;
    }
}
