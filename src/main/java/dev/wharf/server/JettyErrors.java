package dev.wharf.server;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.http.HttpError;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The errors Jetty itself answers (a request line or header it cannot parse, headers that are too large, a failure
 * before any handler ran), written in the shape of the dialect that owns the path instead of Jetty's HTML page. The
 * body says only the status's reason: nothing of the server's internals.
 */
final class JettyErrors extends ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JettyErrors.class);

    private final PathSpaces spaces;

    JettyErrors(PathSpaces spaces) {
        this.spaces = spaces;
    }

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String path = path(request);
        if (code >= 500) {
            // Not the client's fault, and no handler saw it to log it: the operator needs the cause.
            LOG.error("server error {} before any handler answered {} {}", code, request.getMethod(), path, cause);
        }
        Throwable failure = code >= 500 ? new IllegalStateException("the server failed before a handler ran")
                : new DomainException.Invalid(Reason.REQUEST, "The request is malformed: "
                        + HttpStatus.getMessage(code) + ".");
        HttpError error = spaces.refusalDialectFor(path).errors().map(path == null ? "/" : path, failure);
        write(request, response, callback, code >= 400 && code < 500 ? code : error.status(), error);
    }

    static void write(Request request, Response response, Callback callback, int status, HttpError error) {
        response.setStatus(status);
        // Early refusals reach browsers too (a web UI path Jetty could not parse): a body that nothing may frame,
        // sniff into HTML, run or keep, whichever dialect's shape it has.
        response.getHeaders().put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        error.headers().forEach(response.getHeaders()::put);
        if (error.body() == null || "HEAD".equals(request.getMethod())) {
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, error.contentType());
        response.write(true, ByteBuffer.wrap(error.bodyBytes()), callback);
    }

    private static String path(Request request) {
        try {
            return request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        } catch (RuntimeException unparseable) {
            return null;
        }
    }
}
