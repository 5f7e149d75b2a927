package dev.burrow.web;

import dev.burrow.container.PrivateAddresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names this server answers to. A page on another site can make its own name resolve to
 * this machine (DNS rebinding) and then talk to Burrow as if it were the same origin; it still
 * sends its own name as Host, so any Host not listed here gets 421. Served: localhost,
 * 127.0.0.1 and [::1] when bound to loopback; the bound address (every address of the machine
 * under a wildcard bind); the machine's host name and its tailnet names; and the names given
 * with --host.
 */
record ServedHosts(Set<String> names) {
    ServedHosts {
        names = Set.copyOf(names);
    }

    static ServedHosts of(String bind, Collection<String> extra) {
        Set<String> names = new HashSet<>();
        String b = normal(bind);
        InetAddress bound = address(b).orElse(null);
        if (bound != null && bound.isLoopbackAddress() || b.equals("localhost")) names.addAll(Set.of("localhost", "127.0.0.1", "::1"));
        if (bound != null && bound.isAnyLocalAddress()) names.addAll(machineAddresses());
        names.add(b);
        machineName().ifPresent(n -> {
            names.add(n);
            names.add(n.split("\\.")[0]);
        });
        names.addAll(tailnetNames());
        extra.forEach(e -> names.add(normal(e)));
        return new ServedHosts(names);
    }

    /** Whether a request with this Host header is for this server; a request without one is left to the HTTP parser. */
    boolean serves(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) return true;
        return names.contains(normal(hostOnly(hostHeader.strip())));
    }

    /** The name in a Host header, without its port: "[::1]:7070" is "::1", "box:7070" is "box". */
    static String hostOnly(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(1, end);
        }
        int colon = host.indexOf(':');
        return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.substring(0, colon) : host;
    }

    private static String normal(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.startsWith("[") && n.endsWith("]")) n = n.substring(1, n.length() - 1);
        if (n.endsWith(".")) n = n.substring(0, n.length() - 1);
        return n;
    }

    private static Optional<InetAddress> address(String literal) {
        // Only literal addresses: a name is not looked up here (that lookup is what rebinding abuses).
        if (!literal.matches("[0-9.]+|[0-9a-f:]+")) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByName(literal));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Set<String> machineAddresses() {
        Set<String> out = new HashSet<>();
        for (InetAddress a : PrivateAddresses.machineAddresses()) out.add(normal(a.getHostAddress()));
        return out;
    }

    private static Optional<String> machineName() {
        try {
            return Optional.of(normal(InetAddress.getLocalHost().getHostName()));
        } catch (UnknownHostException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).map(ServedHosts::normal);
        }
    }

    private static final Pattern DNS_NAME = Pattern.compile("\"DNSName\"\\s*:\\s*\"([^\"]+)\"");

    /** This machine's MagicDNS name (full and short), when Tailscale runs here. */
    private static Set<String> tailnetNames() {
        Set<String> out = new HashSet<>();
        try {
            Process p = new ProcessBuilder("tailscale", "status", "--self", "--peers=false", "--json").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return out;
            }
            // The first DNSName in the output is the machine's own ("Self"); the rest are not read.
            Matcher m = DNS_NAME.matcher(new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8));
            if (p.exitValue() == 0 && m.find()) {
                String name = normal(m.group(1));
                out.add(name);
                out.add(name.split("\\.")[0]);
            }
        } catch (IOException e) {
            // no tailscale here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
