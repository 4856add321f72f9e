package dev.wharf.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The resolved server configuration. Every field has a default that works on a fresh machine;
 * {@link ConfigResolver} fills it from flags, {@code WHARF_*} variables and the config file, in that order.
 *
 * @param publicUrl         external base URL, or null to derive it from each request
 * @param trustedProxies    addresses whose X-Forwarded-For header is believed
 * @param defaultPrivate    whether a repository created by its first push is private
 */
public record WharfConfig(
        Path dataDir,
        int port,
        String bind,
        String databaseUrl,
        URI publicUrl,
        List<String> trustedProxies,
        Duration sessionTtl,
        boolean defaultPrivate,
        Duration uploadMaxAge,
        long manifestMaxBytes) {

    public static final int DEFAULT_PORT = 5000;

    /**
     * The JDBC URL in force: the configured one, or an H2 file database inside the data directory. H2 batches
     * committed transactions for up to half a second by default ({@code WRITE_DELAY}), so a killed process would
     * lose them; {@code WRITE_DELAY=0} writes every commit before it returns.
     */
    public String jdbcUrl() {
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            return databaseUrl;
        }
        return "jdbc:h2:file:" + dataDir.resolve("db").resolve("wharf").toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /** Defaults for tests and embedded use: everything under {@code dataDir}, an ephemeral port. */
    public static WharfConfig defaults(Path dataDir) {
        return new WharfConfig(dataDir, DEFAULT_PORT, "0.0.0.0", null, null, List.of(), Duration.ofHours(24),
                true, Duration.ofHours(24), 4L * 1024 * 1024);
    }

    public WharfConfig withPort(int newPort) {
        return new WharfConfig(dataDir, newPort, bind, databaseUrl, publicUrl, trustedProxies, sessionTtl,
                defaultPrivate, uploadMaxAge, manifestMaxBytes);
    }

    public WharfConfig withBind(String newBind) {
        return new WharfConfig(dataDir, port, newBind, databaseUrl, publicUrl, trustedProxies, sessionTtl,
                defaultPrivate, uploadMaxAge, manifestMaxBytes);
    }

    public WharfConfig withDatabaseUrl(String url) {
        return new WharfConfig(dataDir, port, bind, url, publicUrl, trustedProxies, sessionTtl,
                defaultPrivate, uploadMaxAge, manifestMaxBytes);
    }

    public WharfConfig withTrustedProxies(List<String> proxies) {
        return new WharfConfig(dataDir, port, bind, databaseUrl, publicUrl, proxies, sessionTtl,
                defaultPrivate, uploadMaxAge, manifestMaxBytes);
    }

    public WharfConfig withPublicUrl(URI url) {
        return new WharfConfig(dataDir, port, bind, databaseUrl, url, trustedProxies, sessionTtl,
                defaultPrivate, uploadMaxAge, manifestMaxBytes);
    }

    public WharfConfig withDefaultPrivate(boolean isPrivate) {
        return new WharfConfig(dataDir, port, bind, databaseUrl, publicUrl, trustedProxies, sessionTtl,
                isPrivate, uploadMaxAge, manifestMaxBytes);
    }
}
