package dev.wharf.config;

import dev.wharf.storage.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The resolved server configuration. Every field has a default that works on a fresh machine;
 * {@link ConfigResolver} fills it from flags, {@code WHARF_*} variables and the config file, in that order.
 *
 * @param publicUrl            external base URL, or null to derive it from each request
 * @param trustedProxies       addresses whose X-Forwarded-For header is believed
 * @param defaultPrivate       whether a repository created by its first push is private
 * @param bodyMaxBytes         the largest JSON or form body of any endpoint (413 above)
 * @param connectionsPerClient open connections one client address may hold (trusted proxies are exempt)
 * @param headerTimeout        time a client has to send a request's headers, once it has started
 * @param minBodyRate          bytes per second a request body must at least arrive at, on average
 * @param idleTimeout          time a connection may send nothing before it is closed
 * @param secretKeyFile        the file holding the key that seals secrets in the database, or null for
 *                             {@code <data-dir>/secret.key} ({@code WHARF_SECRET_KEY} takes precedence)
 * @param tokenMaxLifetime     the longest lifetime of a new or rotated credential, or null for no limit
 * @param tokenRequireExpiry   whether every new or rotated credential must have an expiry
 * @param webhookUrl           where expiry warnings are posted, or null for none
 * @param webhookSecret        the key of the warnings' HMAC signature, or null to send them unsigned
 * @param gcProtectionWindow   how long a pushed, linked or mounted object is never collected
 * @param gcInterval           how often the background collector drains its queue; zero for never
 * @param s3                   where blobs are kept in S3 ({@code --storage s3}), or null for the data directory
 * @param drainPeriod          how long a node that got SIGTERM reports not-ready while it keeps serving, before it
 *                             stops accepting connections; zero to stop accepting at once
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
        long manifestMaxBytes,
        long bodyMaxBytes,
        int connectionsPerClient,
        Duration headerTimeout,
        long minBodyRate,
        Duration idleTimeout,
        Path secretKeyFile,
        Duration tokenMaxLifetime,
        boolean tokenRequireExpiry,
        URI webhookUrl,
        String webhookSecret,
        Duration gcProtectionWindow,
        Duration gcInterval,
        S3Settings s3,
        Duration drainPeriod) {

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
        return "jdbc:h2:file:" + h2Directory().resolve("wharf").toAbsolutePath()
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /** Where the embedded database keeps its files. */
    public Path h2Directory() {
        return dataDir.resolve("db");
    }

    /** The secret key file in force. */
    public Path secretKeyPath() {
        return secretKeyFile != null ? secretKeyFile : dataDir.resolve("secret.key");
    }

    /** Defaults for tests and embedded use: everything under {@code dataDir}. */
    public static WharfConfig defaults(Path dataDir) {
        return new Builder(dataDir).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(dataDir);
        b.port = port;
        b.bind = bind;
        b.databaseUrl = databaseUrl;
        b.publicUrl = publicUrl;
        b.trustedProxies = trustedProxies;
        b.sessionTtl = sessionTtl;
        b.defaultPrivate = defaultPrivate;
        b.uploadMaxAge = uploadMaxAge;
        b.manifestMaxBytes = manifestMaxBytes;
        b.bodyMaxBytes = bodyMaxBytes;
        b.connectionsPerClient = connectionsPerClient;
        b.headerTimeout = headerTimeout;
        b.minBodyRate = minBodyRate;
        b.idleTimeout = idleTimeout;
        b.secretKeyFile = secretKeyFile;
        b.tokenMaxLifetime = tokenMaxLifetime;
        b.tokenRequireExpiry = tokenRequireExpiry;
        b.webhookUrl = webhookUrl;
        b.webhookSecret = webhookSecret;
        b.gcProtectionWindow = gcProtectionWindow;
        b.gcInterval = gcInterval;
        b.s3 = s3;
        b.drainPeriod = drainPeriod;
        return b;
    }

    /** Builds a configuration; every setting starts at its default. */
    public static final class Builder {
        private final Path dataDir;
        private int port = DEFAULT_PORT;
        private String bind = "0.0.0.0";
        private String databaseUrl;
        private URI publicUrl;
        private List<String> trustedProxies = List.of();
        private Duration sessionTtl = Duration.ofHours(24);
        private boolean defaultPrivate = true;
        private Duration uploadMaxAge = Duration.ofHours(24);
        private long manifestMaxBytes = 4L * 1024 * 1024;
        private long bodyMaxBytes = 1024L * 1024;
        private int connectionsPerClient = 200;
        private Duration headerTimeout = Duration.ofSeconds(20);
        private long minBodyRate = 1024;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Path secretKeyFile;
        private Duration tokenMaxLifetime;
        private boolean tokenRequireExpiry;
        private URI webhookUrl;
        private String webhookSecret;
        private Duration gcProtectionWindow = Duration.ofHours(1);
        private Duration gcInterval = Duration.ofMinutes(10);
        private S3Settings s3;
        private Duration drainPeriod = Duration.ofSeconds(5);

        public Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder bind(String value) {
            this.bind = value;
            return this;
        }

        public Builder databaseUrl(String value) {
            this.databaseUrl = value;
            return this;
        }

        public Builder publicUrl(URI value) {
            this.publicUrl = value;
            return this;
        }

        public Builder trustedProxies(List<String> value) {
            this.trustedProxies = List.copyOf(value);
            return this;
        }

        public Builder sessionTtl(Duration value) {
            this.sessionTtl = value;
            return this;
        }

        public Builder defaultPrivate(boolean value) {
            this.defaultPrivate = value;
            return this;
        }

        public Builder uploadMaxAge(Duration value) {
            this.uploadMaxAge = value;
            return this;
        }

        public Builder manifestMaxBytes(long value) {
            this.manifestMaxBytes = value;
            return this;
        }

        public Builder bodyMaxBytes(long value) {
            this.bodyMaxBytes = value;
            return this;
        }

        public Builder connectionsPerClient(int value) {
            this.connectionsPerClient = value;
            return this;
        }

        public Builder headerTimeout(Duration value) {
            this.headerTimeout = value;
            return this;
        }

        public Builder minBodyRate(long value) {
            this.minBodyRate = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        public Builder secretKeyFile(Path value) {
            this.secretKeyFile = value;
            return this;
        }

        public Builder tokenMaxLifetime(Duration value) {
            this.tokenMaxLifetime = value;
            return this;
        }

        public Builder tokenRequireExpiry(boolean value) {
            this.tokenRequireExpiry = value;
            return this;
        }

        public Builder webhookUrl(URI value) {
            this.webhookUrl = value;
            return this;
        }

        public Builder webhookSecret(String value) {
            this.webhookSecret = value;
            return this;
        }

        public Builder gcProtectionWindow(Duration value) {
            this.gcProtectionWindow = value;
            return this;
        }

        public Builder gcInterval(Duration value) {
            this.gcInterval = value;
            return this;
        }

        public Builder s3(S3Settings value) {
            this.s3 = value;
            return this;
        }

        public Builder drainPeriod(Duration value) {
            this.drainPeriod = value;
            return this;
        }

        public WharfConfig build() {
            return new WharfConfig(dataDir, port, bind, databaseUrl, publicUrl, trustedProxies, sessionTtl,
                    defaultPrivate, uploadMaxAge, manifestMaxBytes, bodyMaxBytes, connectionsPerClient, headerTimeout,
                    minBodyRate, idleTimeout, secretKeyFile, tokenMaxLifetime, tokenRequireExpiry, webhookUrl,
                    webhookSecret, gcProtectionWindow, gcInterval, s3, drainPeriod);
        }
    }
}
