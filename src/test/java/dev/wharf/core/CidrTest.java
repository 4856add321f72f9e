package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void ipv4NetworksContainTheirAddresses() {
        Cidr net = Cidr.parse("192.0.2.0/24").orElseThrow();
        assertThat(net.contains("192.0.2.1")).isTrue();
        assertThat(net.contains("192.0.3.1")).isFalse();
        assertThat(Cidr.parse("10.1.2.3").orElseThrow().contains("10.1.2.3")).isTrue();
        assertThat(Cidr.parse("10.1.2.3").orElseThrow().contains("10.1.2.4")).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").orElseThrow().contains("203.0.113.9")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/9").orElseThrow().contains("10.127.255.255")).isTrue();
        assertThat(Cidr.parse("10.0.0.0/9").orElseThrow().contains("10.128.0.0")).isFalse();
    }

    @Test
    void ipv6NetworksContainTheirAddressesAndNeverIpv4Ones() {
        Cidr net = Cidr.parse("2001:db8::/32").orElseThrow();
        assertThat(net.contains("2001:db8:1::5")).isTrue();
        assertThat(net.contains("[2001:db8::1]")).isTrue();
        assertThat(net.contains("2001:db9::1")).isFalse();
        assertThat(net.contains("192.0.2.1")).isFalse();
        assertThat(Cidr.parse("::1").orElseThrow().contains("0:0:0:0:0:0:0:1")).isTrue();
    }

    @Test
    void anythingButAnAddressLiteralIsRefusedWithoutALookup() {
        assertThat(Cidr.parse("localhost")).isEmpty();
        assertThat(Cidr.parse("example.com/24")).isEmpty();
        assertThat(Cidr.parse("1.2.3")).isEmpty();
        assertThat(Cidr.parse("256.1.1.1")).isEmpty();
        assertThat(Cidr.parse("1.2.3.4/33")).isEmpty();
        assertThat(Cidr.parse("1.2.3.4/")).isEmpty();
        assertThat(Cidr.parse("2001:db8::/129")).isEmpty();
        assertThat(Cidr.parse("2001:zz8::")).isEmpty();
        assertThat(Cidr.parse("")).isEmpty();
        assertThat(Cidr.parse(null)).isEmpty();
    }
}
