package dev.wharf.http;

/**
 * The client stopped sending the request: it closed the connection, stalled until the idle timeout, or sent its body
 * more slowly than the server's minimum rate. Not a server failure; answered with a 408 (which the client may never
 * read) and a closed connection.
 */
public final class ClientGone extends RuntimeException {
    public ClientGone(Throwable cause) {
        super("the request body did not arrive", cause, false, false);
    }
}
