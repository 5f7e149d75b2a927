package dev.burrow.web;

import java.util.Set;

/**
 * How the server listens and whom it trusts.
 *
 * @param secureCookies   mark the login cookie Secure even on plain HTTP (behind a TLS proxy)
 * @param trustedProxies  peer addresses whose X-Forwarded-For names the real client (such as
 *                        127.0.0.1 for `tailscale serve`); from any other peer the header is ignored
 * @param hosts           names the server answers to besides its own ({@link ServedHosts}), such as
 *                        the name of a reverse proxy in front of it
 * @param previewPorts    the ports live previews are served on, one per session and container port
 */
public record WebOptions(String bind, int port, boolean secureCookies, Set<String> trustedProxies, Set<String> hosts, PortRange previewPorts) {
    public WebOptions {
        trustedProxies = Set.copyOf(trustedProxies);
        hosts = Set.copyOf(hosts);
        java.util.Objects.requireNonNull(previewPorts);
    }

    /** Previews on any free port (tests, and servers on a random port). */
    public WebOptions(String bind, int port, boolean secureCookies, Set<String> trustedProxies, Set<String> hosts) {
        this(bind, port, secureCookies, trustedProxies, hosts, PortRange.ANY);
    }

    public WebOptions(String bind, int port, boolean secureCookies, Set<String> trustedProxies) {
        this(bind, port, secureCookies, trustedProxies, Set.of());
    }

    /** Ports from {@code first} to {@code last}; {@link #ANY} (0-0) is any free port. */
    public record PortRange(int first, int last) {
        public static final PortRange ANY = new PortRange(0, 0);
        public static final PortRange DEFAULT = new PortRange(7101, 7199);

        public PortRange {
            if (first < 0 || last > 65535 || first > last || (first == 0) != (last == 0)) {
                throw new IllegalArgumentException("a port range is FIRST-LAST, within 1-65535 (such as 7101-7199), not " + first + "-" + last);
            }
        }

        public static PortRange parse(String text) {
            String[] parts = text.strip().split("-");
            try {
                if (parts.length == 2) return new PortRange(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("BURROW_PREVIEW_PORTS is FIRST-LAST (such as 7101-7199), not " + text);
        }

        boolean any() {
            return first == 0;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }
}
