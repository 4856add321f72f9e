package dev.wharf.http;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.db.DatabaseFailures;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.EofException;

/**
 * Turns what infrastructure throws into the failures the dialects map: a database that cannot be reached or a full
 * disk becomes {@link DomainException.Unavailable}, a client that stopped sending becomes {@link ClientGone}. Every
 * dialect's error writer calls this first, so none of them needs to know a driver's exception types.
 */
public final class Failures {
    /** How long clients are told to wait when the database or the disk is out of service. */
    public static final long RETRY_AFTER_SECONDS = 5;

    private Failures() {
    }

    public static Throwable normalize(Throwable failure) {
        if (failure instanceof DomainException || failure instanceof RouteNotFound || failure instanceof ClientGone) {
            return failure;
        }
        if (failure instanceof HttpResponseException http && http.getStatus() == 413) {
            return new DomainException.TooLarge(Reason.REQUEST, "The request body is too large.", -1);
        }
        if (DatabaseFailures.isDiskFull(failure)) {
            return new DomainException.Unavailable(Reason.STORAGE_FULL, "There is no space left to store this.",
                    RETRY_AFTER_SECONDS);
        }
        if (DatabaseFailures.isUnavailable(failure)) {
            return new DomainException.Unavailable(Reason.DATABASE, "The metadata database is unavailable.",
                    RETRY_AFTER_SECONDS);
        }
        if (DatabaseFailures.isTransientConflict(failure)) {
            return new DomainException.Unavailable(Reason.DATABASE,
                    "The request collided with a concurrent change; retry it.", 1);
        }
        if (isClientGone(failure)) {
            return new ClientGone(failure);
        }
        return failure;
    }

    /** Reading the request failed because of the client: it closed, stalled past the idle timeout, or was too slow. */
    private static boolean isClientGone(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EofException || t instanceof ClosedChannelException || t instanceof TimeoutException) {
                return true;
            }
            if (t instanceof IOException && !(t instanceof UncheckedIOException)) {
                String message = String.valueOf(t.getMessage());
                if (message.contains("Early EOF") || message.contains("Idle timeout")
                        || message.contains("Connection reset") || message.contains("Broken pipe")) {
                    return true;
                }
            }
        }
        return false;
    }
}
