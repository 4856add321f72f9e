package dev.wharf.server;

import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Request ids, structured request logs and Prometheus metrics. Log lines are key=value pairs and never include
 * headers, query strings or bodies, so no credential can reach the log.
 */
public final class Observability {
    public static final String REQUEST_ID = "X-Request-Id";
    private static final Logger ACCESS = LoggerFactory.getLogger("wharf.access");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("[\\r\\n\\t]");

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** One timer per method, route and status, looked up without building a meter id on every request. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Requests requests;
    private JvmGcMetrics gcMetrics;

    public Observability(Requests requests) {
        this.requests = requests;
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** Binds JVM metrics and installs the request-id filter and the request logger. */
    public void install(JavalinConfig config) {
        new JvmMemoryMetrics().bindTo(meters);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);

        config.routes.before(ctx -> {
            String incoming = ctx.header(REQUEST_ID);
            String id = incoming != null && SAFE_ID.matcher(incoming).matches() ? incoming : newRequestId();
            ctx.attribute(REQUEST_ID, id);
            ctx.header(REQUEST_ID, id);
            MDC.put("request_id", id);
        });
        config.requestLogger.http(this::log);
    }

    public void serveMetrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape());
    }

    /**
     * A random version-4 UUID. Request ids need uniqueness, not unpredictability, so they come from
     * {@link ThreadLocalRandom} rather than {@code UUID.randomUUID()}, whose shared SecureRandom is a lock on a hot path.
     */
    private static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private void log(Context ctx, Float millis) {
        String route = route(ctx);
        String method = ctx.method().name();
        int status = ctx.statusCode();
        timers.computeIfAbsent(method + ' ' + route + ' ' + status, k -> Timer.builder("http.server.requests")
                        .description("HTTP requests by route and status")
                        .tag("method", method)
                        .tag("route", route)
                        .tag("status", String.valueOf(status))
                        .publishPercentileHistogram()
                        .register(meters))
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info("request_id={} method={} path=\"{}\" route=\"{}\" status={} duration_ms={} client={} ua=\"{}\"",
                    ctx.attribute(REQUEST_ID), method, quote(ctx.path()), route, status,
                    Math.round(millis * 100) / 100.0, requests.clientIp(ctx), quote(ctx.userAgent()));
        }
        MDC.remove("request_id");
    }

    /** The matched route's pattern, so metrics stay low-cardinality; unmatched paths share one label. */
    private static String route(Context ctx) {
        String pattern = Routed.pattern(ctx);
        return pattern == null ? "unmatched" : pattern;
    }

    private static String quote(String s) {
        if (s == null) {
            return "";
        }
        String clipped = s.length() > 256 ? s.substring(0, 256) : s;
        return CONTROL.matcher(clipped.replace("\\", "\\\\").replace("\"", "\\\"")).replaceAll(" ");
    }

    public void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        meters.close();
    }
}
