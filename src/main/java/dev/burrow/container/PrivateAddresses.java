package dev.burrow.container;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The user's own networks, which a session's egress does not reach: loopback, link-local,
 * RFC 1918, CGNAT 100.64.0.0/10 (Tailscale), unique-local fc00::/7, multicast, unspecified,
 * and every address of this machine. Ranges the user allows (BURROW_ALLOWED_PRIVATE, CIDR)
 * are let through. Checked on the address actually connected to, after resolving.
 */
public record PrivateAddresses(List<Range> allowed) {
    public static final PrivateAddresses NONE_ALLOWED = new PrivateAddresses(List.of());

    public PrivateAddresses {
        allowed = List.copyOf(allowed);
    }

    /** One CIDR range. */
    public record Range(InetAddress network, int prefix) {
        boolean contains(InetAddress a) {
            if (a.getAddress().length != network.getAddress().length) return false;
            int bits = a.getAddress().length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(prefix).not();
            return new BigInteger(1, a.getAddress()).and(mask).equals(new BigInteger(1, network.getAddress()).and(mask));
        }

        @Override
        public String toString() {
            return network.getHostAddress() + "/" + prefix;
        }
    }

    private static final List<Range> PRIVATE = List.of(range("10.0.0.0/8"), range("172.16.0.0/12"), range("192.168.0.0/16"),
            range("100.64.0.0/10"), range("169.254.0.0/16"), range("127.0.0.0/8"), range("0.0.0.0/8"), range("fc00::/7"), range("fe80::/10"),
            range("fec0::/10"), range("::1/128"), range("::/128"));

    /** A comma- or space-separated list of CIDR ranges; empty: none allowed. */
    public static PrivateAddresses parse(String setting) {
        List<Range> out = new ArrayList<>();
        if (setting != null) {
            for (String r : setting.split("[,\\s]+")) {
                if (r.isBlank()) continue;
                try {
                    out.add(range(r.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("BURROW_ALLOWED_PRIVATE: " + r.strip() + " is not a range; use CIDR such as 10.1.2.0/24 or fd12::/64");
                }
            }
        }
        return new PrivateAddresses(out);
    }

    static Range range(String cidr) {
        int slash = cidr.indexOf('/');
        String ip = slash < 0 ? cidr : cidr.substring(0, slash);
        if (!ip.matches("[0-9.]+|[0-9a-fA-F:]+")) throw new IllegalArgumentException(cidr); // literals only: no name lookups
        try {
            InetAddress a = InetAddress.getByName(ip);
            int max = a.getAddress().length * 8;
            int prefix = slash < 0 ? max : Integer.parseInt(cidr.substring(slash + 1));
            if (prefix < 0 || prefix > max) throw new IllegalArgumentException(cidr);
            return new Range(a, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException(cidr, e);
        }
    }

    /** The ranges that are the user's own networks, besides this machine's addresses (for the firewall of the full policy). */
    static List<Range> privateRanges() {
        List<Range> out = new ArrayList<>(PRIVATE);
        out.add(range("224.0.0.0/4"));
        out.add(range("240.0.0.0/4"));
        out.add(range("ff00::/8"));
        return out;
    }

    /** Why {@code a} is out of a session's reach, or null when it may be reached. */
    public String refusal(InetAddress a) {
        if (allowed.stream().anyMatch(r -> r.contains(a))) return null;
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress() || machineAddresses().contains(a)) {
            return "it is this machine, which sessions cannot reach";
        }
        if (PRIVATE.stream().anyMatch(r -> r.contains(a)) || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || machineSubnets().stream().anyMatch(r -> r.contains(a))) {
            return "it is a private address (" + a.getHostAddress() + "), on your own networks; BURROW_ALLOWED_PRIVATE lets a range through";
        }
        return null;
    }

    /**
     * The networks this machine is on (its interfaces' subnets), which may be public ranges:
     * a LAN of public addresses is the user's own network too. Very wide ones (shorter than
     * /8, or /16 for IPv6) are left out: they would take the internet with them.
     */
    public static List<Range> machineSubnets() {
        List<Range> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (var ia : ni.getInterfaceAddresses()) {
                    InetAddress a = ia.getAddress();
                    int prefix = ia.getNetworkPrefixLength();
                    int bits = a.getAddress().length * 8;
                    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || prefix < (bits == 32 ? 8 : 16) || prefix >= bits) continue;
                    out.add(masked(a, prefix));
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // no interfaces to list: the ranges above still apply
        }
        return out;
    }

    private static Range masked(InetAddress a, int prefix) throws UnknownHostException {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        return new Range(InetAddress.getByAddress(b), prefix);
    }

    /** Every address of this machine's interfaces, without IPv6 scopes. */
    public static Set<InetAddress> machineAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    out.add(a instanceof Inet4Address ? a : InetAddress.getByAddress(a.getAddress())); // without the scope
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // no interfaces to list: the ranges above still apply
        }
        return out;
    }

    @Override
    public String toString() {
        return allowed.isEmpty() ? "none" : String.join(", ", allowed.stream().map(Range::toString).toList());
    }
}
