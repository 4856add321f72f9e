package dev.wharf.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}); a bare address is a network
 * of one. Parsing never resolves a host name: text that is not an address literal is refused before
 * {@link InetAddress} sees it.
 */
public final class Cidr {
    private final String text;
    private final byte[] network;
    private final int prefix;

    private Cidr(String text, byte[] network, int prefix) {
        this.text = text;
        this.network = network;
        this.prefix = prefix;
    }

    /** The notation it was given in. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    /** The network {@code value} denotes, or empty when it is not one. */
    public static Optional<Cidr> parse(String value) {
        if (value == null || value.isEmpty() || value.length() > 64) {
            return Optional.empty();
        }
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        Optional<byte[]> bytes = address(address);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        int bits = bytes.get().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = value.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(value, mask(bytes.get(), prefix), prefix));
    }

    /** Whether the address {@code ip} (a literal, as a client address is) lies in this network. */
    public boolean contains(String ip) {
        Optional<byte[]> bytes = address(ip);
        if (bytes.isEmpty() || bytes.get().length != network.length) {
            return false;
        }
        return Arrays.equals(mask(bytes.get(), prefix), network);
    }

    /** The bytes of an IPv4 dotted quad or an IPv6 literal (brackets allowed); empty for anything else. */
    static Optional<byte[]> address(String literal) {
        if (literal == null || literal.isEmpty()) {
            return Optional.empty();
        }
        String s = literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1)
                : literal;
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return Optional.empty();
            }
        }
        try {
            // A string with a colon is only ever parsed as an IPv6 literal, never looked up.
            byte[] bytes = InetAddress.getByName(s).getAddress();
            return Optional.of(bytes);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return Optional.empty();
            }
            out[i] = (byte) v;
        }
        return Optional.of(out);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
        }
        return out;
    }
}
