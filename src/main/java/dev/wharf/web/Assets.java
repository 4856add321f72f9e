package dev.wharf.web;

import dev.wharf.core.DomainException;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The UI's stylesheet and scripts: Wharf's own, and htmx from its WebJar, read from the jar once at start-up (a
 * fixed, small set) and served with an ETag, so a browser revalidates instead of downloading them again.
 */
final class Assets {
    /** htmx's version, as the WebJar names its directory; kept in step with the pom. */
    static final String HTMX_VERSION = "2.0.4";

    private static final class Asset {
        final byte[] bytes;
        final String type;
        final String etag;

        Asset(byte[] bytes, String type, String etag) {
            this.bytes = bytes;
            this.type = type;
            this.etag = etag;
        }
    }

    private final Map<String, Asset> byName;

    Assets() {
        byName = Map.of(
                "wharf.css", load("/web/wharf.css", "text/css; charset=utf-8"),
                "wharf.js", load("/web/wharf.js", "text/javascript; charset=utf-8"),
                "htmx.min.js", load("/META-INF/resources/webjars/htmx.org/" + HTMX_VERSION + "/dist/htmx.min.js",
                        "text/javascript; charset=utf-8"));
    }

    void serve(Context ctx) {
        Asset asset = byName.get(Routed.parameter(ctx, "file"));
        if (asset == null) {
            throw new DomainException.NotFound("There is no such file.");
        }
        ctx.header("ETag", asset.etag);
        ctx.header("Cache-Control", "no-cache");
        if (asset.etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(asset.type).result(new ByteArrayInputStream(asset.bytes));
    }

    private static Asset load(String resource, String type) {
        try (InputStream in = Assets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + resource);
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8)
                    + "\"";
            return new Asset(bytes, type, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
