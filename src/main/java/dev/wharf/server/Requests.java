package dev.wharf.server;

import io.javalin.http.Context;
import java.net.URI;

/** Per-request facts every dialect needs: the client address and the public base URL. */
public final class Requests {
    private final ClientAddress clientAddress;
    private final URI publicUrl;

    public Requests(ClientAddress clientAddress, URI publicUrl) {
        this.clientAddress = clientAddress;
        this.publicUrl = publicUrl;
    }

    public String clientIp(Context ctx) {
        return clientAddress.resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }

    /**
     * The external base URL without a trailing slash: the configured {@code --public-url}, else derived from the
     * request, believing {@code X-Forwarded-Proto}/{@code X-Forwarded-Host} only from trusted proxies.
     */
    public String baseUrl(Context ctx) {
        if (publicUrl != null) {
            return publicUrl.toString();
        }
        String scheme = ctx.scheme();
        String host = ctx.host();
        if (clientAddress.isTrusted(ctx.req().getRemoteAddr())) {
            String proto = ctx.header("X-Forwarded-Proto");
            String fwdHost = ctx.header("X-Forwarded-Host");
            if (proto != null && (proto.equals("http") || proto.equals("https"))) {
                scheme = proto;
            }
            if (fwdHost != null && !fwdHost.isBlank()) {
                host = fwdHost.split(",")[0].trim();
            }
        }
        if (host == null || host.isBlank()) {
            host = ctx.req().getLocalAddr() + ":" + ctx.port();
        }
        return scheme + "://" + host;
    }
}
