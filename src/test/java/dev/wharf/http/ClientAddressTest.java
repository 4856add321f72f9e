package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    @Test
    void forwardedForIsBelievedOnlyFromTrustedPeers() {
        ClientAddress none = new ClientAddress(List.of());
        assertThat(none.resolve("10.1.2.3", "203.0.113.9")).isEqualTo("10.1.2.3");

        ClientAddress proxies = new ClientAddress(List.of("10.0.0.0/8", "192.168.1.1"));
        assertThat(proxies.resolve("10.1.2.3", "203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(proxies.resolve("10.1.2.3", "198.51.100.1, 203.0.113.9, 192.168.1.1")).isEqualTo("203.0.113.9");
        assertThat(proxies.resolve("10.1.2.3", "10.9.9.9")).isEqualTo("10.9.9.9");
        assertThat(proxies.resolve("172.16.0.1", "203.0.113.9")).isEqualTo("172.16.0.1");
        assertThat(proxies.resolve("10.1.2.3", "evil.example.com")).isEqualTo("10.1.2.3");
        assertThat(proxies.resolve("10.1.2.3", null)).isEqualTo("10.1.2.3");
    }

    @Test
    void ipv6RangesMatch() {
        ClientAddress proxies = new ClientAddress(List.of("fd00::/8"));
        assertThat(proxies.isTrusted("fd12::1")).isTrue();
        assertThat(proxies.isTrusted("2001:db8::1")).isFalse();
        assertThat(proxies.isTrusted("10.0.0.1")).isFalse();
    }
}
