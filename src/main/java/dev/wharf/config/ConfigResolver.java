package dev.wharf.config;

import dev.wharf.storage.S3Settings;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Resolves each setting from, in order of precedence: the command-line flag, the {@code WHARF_<NAME>} environment
 * variable, the config file (Java properties, keys named like the flags without dashes, e.g. {@code data-dir}),
 * then the built-in default.
 */
public final class ConfigResolver {

    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Properties file = new Properties();

    /**
     * @param flags      flag name (without dashes) to value, only for flags actually given
     * @param env        the process environment
     * @param configFile an explicit config file, or null to use {@code WHARF_CONFIG} or {@code <data-dir>/wharf.properties} if present
     */
    public ConfigResolver(Map<String, String> flags, Map<String, String> env, Path configFile) {
        this.flags = flags;
        this.env = env;
        Path path = configFile != null ? configFile
                : env.containsKey("WHARF_CONFIG") ? Path.of(env.get("WHARF_CONFIG")) : null;
        if (path == null) {
            String dataDir = flags.getOrDefault("data-dir", env.getOrDefault("WHARF_DATA_DIR", "./wharf-data"));
            path = Path.of(dataDir, "wharf.properties");
            if (!Files.exists(path)) {
                return;
            }
        }
        try (Reader reader = Files.newBufferedReader(path)) {
            file.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
        }
    }

    public WharfConfig resolve() {
        WharfConfig.Builder b = new WharfConfig.Builder(Path.of(get("data-dir", "./wharf-data")));
        b.port(parse("port", "5000", ConfigResolver::port));
        b.bind(get("bind", "0.0.0.0"));
        b.databaseUrl(get("database-url", null));
        b.publicUrl(parse("public-url", null, ConfigResolver::publicUrl));
        b.trustedProxies(parse("trusted-proxies", "", ConfigResolver::list));
        b.sessionTtl(parse("session-ttl", "24h", Durations::parse));
        b.defaultPrivate(parse("default-visibility", "private", ConfigResolver::isPrivate));
        b.uploadMaxAge(parse("upload-max-age", "24h", Durations::parse));
        b.gcProtectionWindow(parse("gc-protection-window", "1h", ConfigResolver::nonNegativeDuration));
        b.gcInterval(parse("gc-interval", "10m", ConfigResolver::nonNegativeDuration));
        b.drainPeriod(parse("drain-period", "5s", ConfigResolver::nonNegativeDuration));
        b.manifestMaxBytes(parse("manifest-max-bytes", String.valueOf(4L * 1024 * 1024), ConfigResolver::positive));
        b.bodyMaxBytes(parse("body-max-bytes", String.valueOf(1024L * 1024), ConfigResolver::positive));
        b.connectionsPerClient(parse("connections-per-client", "200", raw -> (int) positive(raw)));
        b.headerTimeout(parse("header-timeout", "20s", ConfigResolver::positiveDuration));
        b.minBodyRate(parse("min-body-rate", "1024", ConfigResolver::nonNegative));
        b.idleTimeout(parse("idle-timeout", "30s", ConfigResolver::positiveDuration));
        String keyFile = get("secret-key-file", null);
        b.secretKeyFile(keyFile == null ? null : Path.of(keyFile));
        b.tokenMaxLifetime(parse("token-max-lifetime", null, ConfigResolver::positiveDuration));
        b.tokenRequireExpiry(parse("token-require-expiry", "false", ConfigResolver::bool));
        b.webhookUrl(parse("webhook-url", null, ConfigResolver::httpUrl));
        b.webhookSecret(get("webhook-secret", null));
        b.s3(s3());
        return b.build();
    }

    /** The S3 settings under {@code --storage s3}, or null for the default, the data directory. */
    private S3Settings s3() {
        String storage = get("storage", "fs");
        if (storage.equals("fs")) {
            return null;
        }
        if (!storage.equals("s3")) {
            throw new ConfigException("invalid value for storage: '" + storage + "' (fs or s3)");
        }
        try {
            // The secret key is read with get(), never parse(): a parse error would quote it.
            return new S3Settings(parse("s3-endpoint", null, ConfigResolver::httpUrl), get("s3-region", null),
                    get("s3-bucket", null), get("s3-prefix", ""), parse("s3-path-style", "false", ConfigResolver::bool),
                    get("s3-access-key", null), get("s3-secret-key", null),
                    parse("s3-redirect", "false", ConfigResolver::bool));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The raw value of a setting, or {@code fallback}. */
    public String get(String key, String fallback) {
        String value = flags.get(key);
        if (value == null) {
            value = env.get("WHARF_" + key.replace('-', '_').toUpperCase(Locale.ROOT));
        }
        if (value == null) {
            value = file.getProperty(key);
        }
        return value == null ? fallback : value.trim();
    }

    private <T> T parse(String key, String fallback, Function<String, T> parser) {
        String raw = get(key, fallback);
        if (raw == null) {
            return null;
        }
        try {
            return parser.apply(raw);
        } catch (RuntimeException e) {
            throw new ConfigException("invalid value for " + key + ": '" + raw + "'"
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }

    private static boolean bool(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static URI httpUrl(String raw) {
        URI uri = URI.create(raw);
        boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
        if (!http || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an http or https URL");
        }
        return uri;
    }

    private static int port(String raw) {
        int port = Integer.parseInt(raw);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("must be 0-65535");
        }
        return port;
    }

    private static long positive(String raw) {
        long value = Long.parseLong(raw);
        if (value <= 0) {
            throw new IllegalArgumentException("must be positive");
        }
        return value;
    }

    private static long nonNegative(String raw) {
        long value = Long.parseLong(raw);
        if (value < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        return value;
    }

    private static Duration nonNegativeDuration(String raw) {
        Duration value = Durations.parse(raw);
        if (value.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return value;
    }

    private static Duration positiveDuration(String raw) {
        Duration value = Durations.parse(raw);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("must be positive");
        }
        return value;
    }

    private static URI publicUrl(String raw) {
        URI uri = URI.create(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an absolute http(s) URL");
        }
        return uri;
    }

    private static List<String> list(String raw) {
        return Arrays.stream(raw.split(",", -1)).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean isPrivate(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "private" -> true;
            case "public" -> false;
            default -> throw new IllegalArgumentException("must be 'private' or 'public'");
        };
    }

    /** A configuration problem the user must fix; reported as one line, without a stack trace. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
