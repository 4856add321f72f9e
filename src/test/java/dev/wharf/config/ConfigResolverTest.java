package dev.wharf.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigResolverTest {
    @TempDir
    Path dir;

    @Test
    void defaultsWorkWithNothingSet() {
        WharfConfig c = new ConfigResolver(Map.of("data-dir", dir.toString()), Map.of(), null).resolve();
        assertThat(c.port()).isEqualTo(5000);
        assertThat(c.bind()).isEqualTo("0.0.0.0");
        assertThat(c.databaseUrl()).isNull();
        assertThat(c.jdbcUrl()).startsWith("jdbc:h2:file:").contains(dir.toString());
        assertThat(c.publicUrl()).isNull();
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.sessionTtl()).isEqualTo(Duration.ofHours(24));
        assertThat(c.defaultPrivate()).isTrue();
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheConfigFile() throws IOException {
        Path file = dir.resolve("wharf.properties");
        Files.writeString(file, "port=7000\nbind=127.0.0.2\nsession-ttl=2h\ntrusted-proxies=10.0.0.0/8\n");
        Map<String, String> env = Map.of("WHARF_PORT", "6000", "WHARF_BIND", "127.0.0.3");
        WharfConfig c = new ConfigResolver(Map.of("port", "5001"), env, file).resolve();
        assertThat(c.port()).isEqualTo(5001);
        assertThat(c.bind()).isEqualTo("127.0.0.3");
        assertThat(c.sessionTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(c.trustedProxies()).isEqualTo(List.of("10.0.0.0/8"));
    }

    @Test
    void theConfigFileIsFoundInTheDataDirOrThroughWharfConfig() throws IOException {
        Files.writeString(dir.resolve("wharf.properties"), "public-url=https://hub.example.com/\n");
        WharfConfig fromDataDir = new ConfigResolver(Map.of(), Map.of("WHARF_DATA_DIR", dir.toString()), null)
                .resolve();
        assertThat(fromDataDir.publicUrl().toString()).isEqualTo("https://hub.example.com");
        Path other = dir.resolve("other.properties");
        Files.writeString(other, "default-visibility=public\n");
        WharfConfig fromEnv = new ConfigResolver(Map.of(), Map.of("WHARF_CONFIG", other.toString()), null).resolve();
        assertThat(fromEnv.defaultPrivate()).isFalse();
    }

    @Test
    void badValuesAreReportedByName() {
        for (Map<String, String> flags : List.of(Map.of("port", "http"), Map.of("port", "70000"),
                Map.of("public-url", "not a url"), Map.of("session-ttl", "forever"),
                Map.of("default-visibility", "secret"), Map.of("manifest-max-bytes", "-1"))) {
            assertThatThrownBy(() -> new ConfigResolver(flags, Map.of(), null).resolve())
                    .isInstanceOf(ConfigResolver.ConfigException.class)
                    .hasMessageContaining(flags.keySet().iterator().next());
        }
    }

    @Test
    void theDrainPeriodIsFiveSecondsUnlessSetAndZeroSkipsIt() {
        assertThat(new ConfigResolver(Map.of("data-dir", dir.toString()), Map.of(), null).resolve().drainPeriod())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(new ConfigResolver(Map.of(), Map.of("WHARF_DRAIN_PERIOD", "20s"), null).resolve().drainPeriod())
                .isEqualTo(Duration.ofSeconds(20));
        assertThat(new ConfigResolver(Map.of("drain-period", "0s"), Map.of(), null).resolve().drainPeriod())
                .isZero();
        assertThatThrownBy(() -> new ConfigResolver(Map.of("drain-period", "soon"), Map.of(), null).resolve())
                .isInstanceOf(ConfigResolver.ConfigException.class).hasMessageContaining("drain-period");
    }

    @Test
    void theExpiryWebhookComesFromAFlagAndItsSecretFromTheEnvironment() {
        WharfConfig none = new ConfigResolver(Map.of("data-dir", dir.toString()), Map.of(), null).resolve();
        assertThat(none.webhookUrl()).isNull();
        assertThat(none.webhookSecret()).isNull();
        WharfConfig c = new ConfigResolver(Map.of("webhook-url", "https://hooks.example.com/wharf?key=k"),
                Map.of("WHARF_WEBHOOK_SECRET", "s3cret"), null).resolve();
        assertThat(c.webhookUrl().toString()).isEqualTo("https://hooks.example.com/wharf?key=k");
        assertThat(c.webhookSecret()).isEqualTo("s3cret");
        for (String bad : List.of("ftp://hooks.example.com/", "hooks.example.com/wharf", "http:///x")) {
            assertThatThrownBy(() -> new ConfigResolver(Map.of("webhook-url", bad), Map.of(), null).resolve())
                    .as(bad).isInstanceOf(ConfigResolver.ConfigException.class).hasMessageContaining("webhook-url");
        }
    }

    @Test
    void s3StorageComesFromFlagsAndVariablesAndNeverShowsItsSecret() {
        assertThat(new ConfigResolver(Map.of(), Map.of(), null).resolve().s3()).isNull();
        Map<String, String> env = Map.of("WHARF_STORAGE", "s3", "WHARF_S3_BUCKET", "blobs",
                "WHARF_S3_SECRET_KEY", "very-secret-value", "WHARF_S3_ACCESS_KEY", "AKIDEXAMPLE");
        WharfConfig c = new ConfigResolver(Map.of("s3-endpoint", "http://127.0.0.1:9000", "s3-path-style", "true",
                "s3-prefix", "/wharf/", "s3-redirect", "true"), env, null).resolve();
        assertThat(c.s3().bucket()).isEqualTo("blobs");
        assertThat(c.s3().endpoint()).hasToString("http://127.0.0.1:9000");
        assertThat(c.s3().region()).isEqualTo("us-east-1");
        assertThat(c.s3().prefix()).isEqualTo("wharf/");
        assertThat(c.s3().pathStyle()).isTrue();
        assertThat(c.s3().redirect()).isTrue();
        assertThat(c.s3().secretKey()).isEqualTo("very-secret-value");
        assertThat(c.toString()).contains("AKIDEXAMPLE").doesNotContain("very-secret-value");

        assertThatThrownBy(() -> new ConfigResolver(Map.of("storage", "s3"), Map.of(), null).resolve())
                .isInstanceOf(ConfigResolver.ConfigException.class).hasMessageContaining("--s3-bucket");
        assertThatThrownBy(() -> new ConfigResolver(Map.of("storage", "tape"), Map.of(), null).resolve())
                .isInstanceOf(ConfigResolver.ConfigException.class).hasMessageContaining("fs or s3");
        assertThatThrownBy(() -> new ConfigResolver(Map.of("storage", "s3", "s3-bucket", "b",
                "s3-secret-key", "very-secret-value"), Map.of(), null).resolve())
                .isInstanceOf(ConfigResolver.ConfigException.class).hasMessageContaining("--s3-access-key")
                .hasMessageNotContaining("very-secret-value");
    }
}
