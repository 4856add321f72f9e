package dev.wharf.http;

import dev.wharf.core.DomainException;
import dev.wharf.core.JsonDocuments;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/** Per-request facts every dialect needs: the client address, the public base URL, and the request body. */
public final class Requests {
    private final ClientAddress clientAddress;
    private final URI publicUrl;
    private final String publicUrlText;
    private final String publicAuthority;
    private final long bodyMaxBytes;

    /** @param bodyMaxBytes the largest JSON or form body any endpoint reads (413 above) */
    public Requests(ClientAddress clientAddress, URI publicUrl, long bodyMaxBytes) {
        this.clientAddress = clientAddress;
        this.publicUrl = publicUrl;
        this.publicUrlText = publicUrl == null ? null : publicUrl.toString();
        this.publicAuthority = publicUrl == null ? null : publicUrl.getRawAuthority();
        this.bodyMaxBytes = bodyMaxBytes;
    }

    public String clientIp(Context ctx) {
        return clientAddress.resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }

    public ClientAddress clientAddress() {
        return clientAddress;
    }

    public long bodyMaxBytes() {
        return bodyMaxBytes;
    }

    /**
     * The JSON body bound to {@code type}, read with the parser's limits and at most {@link #bodyMaxBytes} bytes: a
     * declared length above the limit is refused before a byte is read. A field of the wrong type is a validation
     * error on that field.
     */
    public <T> T body(Context ctx, Class<T> type) {
        return body(ctx, type, bodyMaxBytes);
    }

    /** The same, for an endpoint whose bodies are smaller still: at most {@code maxBytes} (and the site's limit). */
    public <T> T body(Context ctx, Class<T> type, long maxBytes) {
        long limit = Math.min(maxBytes, bodyMaxBytes);
        if (ctx.req().getContentLengthLong() > limit) {
            throw JsonDocuments.tooLarge(limit);
        }
        try {
            return JsonDocuments.read(ctx.req().getInputStream(), limit, type);
        } catch (JsonDocuments.Malformed e) {
            throw new DomainException.Invalid(e.field() == null ? "body" : e.field(), e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The external base URL without a trailing slash: the configured {@code --public-url}, else derived from the
     * request, believing {@code X-Forwarded-Proto}/{@code X-Forwarded-Host} only from trusted proxies.
     */
    public String baseUrl(Context ctx) {
        if (publicUrl != null) {
            return publicUrlText;
        }
        String scheme = ctx.scheme();
        if (clientAddress.isTrusted(ctx.req().getRemoteAddr())) {
            String proto = ctx.header("X-Forwarded-Proto");
            if ("http".equals(proto) || "https".equals(proto)) {
                scheme = proto;
            }
        }
        return scheme + "://" + authority(ctx);
    }

    /** The host (and port) clients address this server by: the authority of {@link #baseUrl}. */
    public String authority(Context ctx) {
        if (publicUrl != null) {
            return publicAuthority;
        }
        String host = ctx.host();
        if (clientAddress.isTrusted(ctx.req().getRemoteAddr())) {
            String forwardedHost = ctx.header("X-Forwarded-Host");
            if (forwardedHost != null && !forwardedHost.isBlank()) {
                int comma = forwardedHost.indexOf(',');
                host = (comma < 0 ? forwardedHost : forwardedHost.substring(0, comma)).trim();
            }
        }
        if (host == null || host.isBlank()) {
            host = ctx.req().getLocalAddr() + ":" + ctx.port();
        }
        return host;
    }
}
