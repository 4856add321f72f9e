package dev.wharf.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client's address: the peer address, unless the peer is a trusted proxy, in which case the right-most
 * {@code X-Forwarded-For} entry that is not itself a trusted proxy. Entries are addresses or CIDR ranges.
 */
public final class ClientAddress {
    /** A longer X-Forwarded-For is not a chain of proxies but an attempt to make the server work. */
    private static final int MAX_HEADER = 1024;
    private final List<String> trusted;

    public ClientAddress(List<String> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    public String resolve(String peer, String forwardedFor) {
        if (forwardedFor == null || forwardedFor.isBlank() || !isTrusted(peer)) {
            return peer;
        }
        if (forwardedFor.length() > MAX_HEADER) {
            return peer;
        }
        String[] hops = forwardedFor.split(",", -1);
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!isLiteralAddress(hop)) {
                return peer;
            }
            if (!isTrusted(hop) || i == 0) {
                return hop;
            }
        }
        return peer;
    }

    public boolean isTrusted(String address) {
        for (String entry : trusted) {
            if (matches(entry, address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String entry, String address) {
        try {
            int slash = entry.indexOf('/');
            InetAddress target = InetAddress.getByName(address);
            if (slash < 0) {
                return InetAddress.getByName(entry).equals(target);
            }
            byte[] net = InetAddress.getByName(entry.substring(0, slash)).getAddress();
            byte[] addr = target.getAddress();
            int bits = Integer.parseInt(entry.substring(slash + 1));
            if (net.length != addr.length) {
                return false;
            }
            for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((net[i] & mask) != (addr[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }

    /**
     * Only literal IPs are believed, so that a forged header can never trigger a DNS lookup; 45 characters is the
     * longest textual IPv6 address.
     */
    private static boolean isLiteralAddress(String s) {
        return !s.isEmpty() && s.length() <= 45
                && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
    }
}
