package dev.wharf;

import dev.wharf.config.ConfigResolver;
import dev.wharf.config.WharfConfig;
import dev.wharf.server.Wharf;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wharf serve}: runs the server until SIGTERM or SIGINT, then drains in-flight requests and exits. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Wharf server. Each option can also be set as WHARF_<NAME> or in the config file.")
final class ServeCommand implements Callable<Integer> {
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

    @Option(names = "--manifest-max-bytes", description = "Largest manifest accepted on push, in bytes (default 4194304).")
    String manifestMaxBytes;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = new HashMap<>();
        put(flags, "data-dir", dataDir);
        put(flags, "port", port);
        put(flags, "bind", bind);
        put(flags, "database-url", databaseUrl);
        put(flags, "public-url", publicUrl);
        put(flags, "trusted-proxies", trustedProxies);
        put(flags, "session-ttl", sessionTtl);
        put(flags, "default-visibility", defaultVisibility);
        put(flags, "upload-max-age", uploadMaxAge);
        put(flags, "manifest-max-bytes", manifestMaxBytes);
        WharfConfig config = new ConfigResolver(flags, System.getenv(), configFile).resolve();
        Wharf wharf = Wharf.start(config, System.out, System.getenv("WHARF_ADMIN_PASSWORD"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            wharf.close();
            stopped.countDown();
        }, "wharf-shutdown"));
        stopped.await();
        return 0;
    }

    private static void put(Map<String, String> flags, String key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }
}
