package dev.wharf;

import dev.wharf.config.ConfigResolver;
import dev.wharf.config.WharfConfig;
import dev.wharf.server.Wharf;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wharf serve}: runs the server until SIGTERM or SIGINT, then drains (see {@link Wharf#drainAndClose()}) and
 * exits 0. Each option
 * is read by name through {@link ConfigResolver}, which also looks at {@code WHARF_*} variables and the config file;
 * the fields below exist for picocli's parsing and help.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Wharf server. Each option can also be set as WHARF_<NAME> or in the config file.")
@SuppressWarnings("UnusedVariable") // picocli sets the fields; call() reads them through the parse result
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "Config file (Java properties; default <data-dir>/wharf.properties).")
    Path configFile;
    @Option(names = "--data-dir", description = "Data directory for the H2 database and blobs (default ./wharf-data).")
    String dataDir;
    @Option(names = "--port", description = "HTTP port (default 5000).")
    String port;
    @Option(names = "--bind", description = "Address to listen on (default 0.0.0.0).")
    String bind;
    @Option(names = "--database-url", description = "JDBC URL; jdbc:postgresql://... selects PostgreSQL (default: H2 in the data dir).")
    String databaseUrl;
    @Option(names = "--public-url", description = "External base URL for links and auth challenges (default: from the request).")
    String publicUrl;
    @Option(names = "--trusted-proxies", description = "Comma-separated addresses or CIDRs whose X-Forwarded-For is believed.")
    String trustedProxies;
    @Option(names = "--session-ttl", description = "Lifetime of /v2/users/login sessions, e.g. 24h (default 24h).")
    String sessionTtl;
    @Option(names = "--default-visibility", description = "Visibility of repositories created by a push: private or public (default private).")
    String defaultVisibility;
    @Option(names = "--upload-max-age", description = "Age after which abandoned uploads are removed (default 24h).")
    String uploadMaxAge;
    @Option(names = "--gc-protection-window", description = "How long a pushed, linked or mounted object is safe from garbage collection (default 1h).")
    String gcProtectionWindow;
    @Option(names = "--gc-interval", description = "How often the background collector drains its queue, 0s to never (default 10m).")
    String gcInterval;
    @Option(names = "--drain-period", description = "On SIGTERM, how long /readyz answers 503 while requests are still served, before the server stops accepting; 0s to skip (default 5s).")
    String drainPeriod;
    @Option(names = "--manifest-max-bytes", description = "Largest manifest accepted on push, in bytes (default 4194304).")
    String manifestMaxBytes;
    @Option(names = "--body-max-bytes", description = "Largest JSON or form request body, in bytes (default 1048576).")
    String bodyMaxBytes;
    @Option(names = "--connections-per-client", description = "Open connections one client address may hold (default 200; trusted proxies are exempt).")
    String connectionsPerClient;
    @Option(names = "--header-timeout", description = "Time a client has to finish sending a request's headers (default 20s).")
    String headerTimeout;
    @Option(names = "--min-body-rate", description = "Bytes per second a request body must average, 0 for no limit (default 1024).")
    String minBodyRate;
    @Option(names = "--idle-timeout", description = "Time a connection may stay silent before it is closed (default 30s).")
    String idleTimeout;
    @Option(names = "--secret-key-file", description = "Key that seals secrets in the database (default <data-dir>/secret.key; WHARF_SECRET_KEY wins).")
    String secretKeyFile;
    @Option(names = "--token-max-lifetime", description = "Longest lifetime of a new or rotated token, e.g. 90d (default: no limit).")
    String tokenMaxLifetime;
    @Option(names = "--token-require-expiry", description = "Refuse new or rotated tokens without an expiry: true or false (default false).")
    String tokenRequireExpiry;
    @Option(names = "--webhook-url", description = "URL that gets a signed JSON POST 7 days and 1 day before any credential expires.")
    String webhookUrl;
    @Option(names = "--webhook-secret", description = "HMAC-SHA256 key that signs webhook bodies (better set as WHARF_WEBHOOK_SECRET).")
    String webhookSecret;
    @Option(names = "--storage", description = "Where blobs are kept: fs (the data directory) or s3 (default fs).")
    String storage;
    @Option(names = "--s3-endpoint", description = "URL of the S3-compatible service (default: AWS S3 itself).")
    String s3Endpoint;
    @Option(names = "--s3-region", description = "Region the S3 requests are signed for (default us-east-1).")
    String s3Region;
    @Option(names = "--s3-bucket", description = "Bucket that holds the blobs; it must exist.")
    String s3Bucket;
    @Option(names = "--s3-prefix", description = "Key prefix under which the blobs are kept (default: the bucket's root).")
    String s3Prefix;
    @Option(names = "--s3-path-style", arity = "0..1", fallbackValue = "true", description = "Put the bucket in the URL path, not the host name (MinIO, Ceph, S3Proxy): true or false (default false).")
    String s3PathStyle;
    @Option(names = "--s3-access-key", description = "S3 access key id (default: the AWS SDK's default credentials chain).")
    String s3AccessKey;
    @Option(names = "--s3-secret-key", description = "S3 secret access key, with --s3-access-key (better set as WHARF_S3_SECRET_KEY).")
    String s3SecretKey;
    @Option(names = "--s3-redirect", arity = "0..1", fallbackValue = "true", description = "Answer blob downloads with a 307 to a presigned S3 URL: true or false (default false).")
    String s3Redirect;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = new HashMap<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            String name = option.longestName().substring(2);
            if (!name.equals("config")) {
                Object value = option.getValue();
                flags.put(name, String.valueOf(value));
            }
        }
        WharfConfig config = new ConfigResolver(flags, System.getenv(), configFile).resolve();
        Wharf wharf = Wharf.start(config, System.out, System.getenv(), Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            wharf.drainAndClose();
            // The JVM reports an exit on SIGTERM as 143 even after a clean stop; a node that drained and stopped
            // says so with 0 (a failed stop throws above and keeps the 143). halt skips the hooks still running, so
            // the log's queue is flushed first.
            Main.stopLogging();
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }, "wharf-shutdown"));
        new CountDownLatch(1).await(); // until the hook ends the process
        return 0;
    }
}
