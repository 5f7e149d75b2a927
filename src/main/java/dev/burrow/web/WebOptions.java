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
 */
public record WebOptions(String bind, int port, boolean secureCookies, Set<String> trustedProxies, Set<String> hosts) {
    public WebOptions {
        trustedProxies = Set.copyOf(trustedProxies);
        hosts = Set.copyOf(hosts);
    }

    public WebOptions(String bind, int port, boolean secureCookies, Set<String> trustedProxies) {
        this(bind, port, secureCookies, trustedProxies, Set.of());
    }
}
