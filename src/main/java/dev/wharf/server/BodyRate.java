package dev.wharf.server;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's minimum request data rate, applied only to requests that have a body: the rate check wraps the request and
 * the response and counts every byte, which a GET or HEAD (nearly all of a pull's requests) does not need.
 */
final class BodyRate extends MinimumDataRateHandler {

    BodyRate(long minimumBytesPerSecond) {
        super(minimumBytesPerSecond, 0);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        boolean hasBody = request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        return hasBody ? super.handle(request, response, callback) : getHandler().handle(request, response, callback);
    }
}
