package dev.burrow.container;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The private-address guard under the full policy, where the container has a network of its
 * own (slirp4netns) rather than the egress proxy: nftables rules in the session container's
 * network namespace, set by Burrow from outside (podman unshare, nsenter) after the container
 * starts and before its agent does. The agent is root in its container but lacks NET_ADMIN,
 * so it cannot change them; its sibling containers share the namespace and the rules. Every
 * protocol is covered: non-HTTP TCP (ssh, databases) to the internet passes, anything to this
 * machine, a network it is on or a private range is rejected, except slirp4netns's DNS and the name servers of
 * the host (port 53 only), the model API's address and port, and the ranges the user allows.
 */
public final class EgressFirewall {
    public static final String TABLE = "burrow_guard";
    /** slirp4netns's DNS forwarder inside the container's network. */
    static final String SLIRP_DNS = "10.0.2.3";

    private EgressFirewall() {
    }

    /**
     * The ruleset, for {@code nft -f -}. {@code exempt}: endpoints reached whatever their
     * address (the model API, which may be a gateway on the user's own network), TCP only.
     */
    public static String ruleset(PrivateAddresses guard, Set<InetAddress> machine, List<PrivateAddresses.Range> subnets, List<InetAddress> nameServers,
                                 List<InetSocketAddress> exempt) {
        List<String> dns4 = new ArrayList<>(List.of(SLIRP_DNS));
        List<String> dns6 = new ArrayList<>();
        for (InetAddress ns : nameServers) (ns instanceof Inet4Address ? dns4 : dns6).add(ns.getHostAddress());
        List<String> allowed4 = new ArrayList<>();
        List<String> allowed6 = new ArrayList<>();
        for (PrivateAddresses.Range r : guard.allowed()) (r.network() instanceof Inet4Address ? allowed4 : allowed6).add(r.toString());
        List<String> refused4 = new ArrayList<>();
        List<String> refused6 = new ArrayList<>();
        for (PrivateAddresses.Range r : PrivateAddresses.privateRanges()) (r.network() instanceof Inet4Address ? refused4 : refused6).add(r.toString());
        for (InetAddress a : machine) (a instanceof Inet4Address ? refused4 : refused6).add(a.getHostAddress());
        for (PrivateAddresses.Range r : subnets) (r.network() instanceof Inet4Address ? refused4 : refused6).add(r.toString());
        StringBuilder sb = new StringBuilder();
        // Replacing the table makes the ruleset whole each time (a restart sets it again).
        sb.append("table inet ").append(TABLE).append(" {}\ndelete table inet ").append(TABLE).append('\n');
        sb.append("table inet ").append(TABLE).append(" {\n  chain output {\n    type filter hook output priority 0; policy accept;\n");
        sb.append("    oifname \"lo\" accept\n");
        sb.append("    ip daddr ").append(set(dns4)).append(" meta l4proto { tcp, udp } th dport 53 accept\n");
        if (!dns6.isEmpty()) sb.append("    ip6 daddr ").append(set(dns6)).append(" meta l4proto { tcp, udp } th dport 53 accept\n");
        for (InetSocketAddress e : exempt) {
            sb.append(e.getAddress() instanceof Inet4Address ? "    ip daddr " : "    ip6 daddr ").append(e.getAddress().getHostAddress())
                    .append(" tcp dport ").append(e.getPort()).append(" accept\n");
        }
        if (!allowed4.isEmpty()) sb.append("    ip daddr ").append(set(allowed4)).append(" accept\n");
        if (!allowed6.isEmpty()) sb.append("    ip6 daddr ").append(set(allowed6)).append(" accept\n");
        sb.append("    ip daddr ").append(set(refused4)).append(" reject\n");
        sb.append("    ip6 daddr ").append(set(refused6)).append(" reject\n");
        sb.append("  }\n}\n");
        return sb.toString();
    }

    private static String set(List<String> items) {
        return "{ " + String.join(", ", items.stream().distinct().toList()) + " }";
    }

    /** The host's name servers (from /etc/resolv.conf), which a container's DNS may go to. */
    public static List<InetAddress> hostNameServers() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
                String[] w = line.strip().split("\\s+");
                if (w.length >= 2 && w[0].equals("nameserver") && w[1].matches("[0-9.]+|[0-9a-fA-F:]+")) {
                    InetAddress a = InetAddress.getByName(w[1]);
                    if (!a.isLoopbackAddress()) out.add(a);
                }
            }
        } catch (IOException e) {
            // no resolv.conf: slirp4netns's forwarder alone
        }
        return out;
    }

    /** The host's nft, which is often outside a user's PATH (/usr/sbin). */
    public static Optional<Path> nft() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "nft");
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
