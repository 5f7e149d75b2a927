package dev.burrow.cli;

import dev.burrow.web.WebOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where and how {@code serve} listens: its own options, which {@code service install} passes on to the unit's serve. */
final class ServeOptions {
    @Option(names = "--bind", description = "Address to listen on (default 127.0.0.1; anything else is reachable from other machines); "
            + "'tailscale': this machine's tailnet address (tailscale ip -4).")
    String bind;

    @Option(names = "--port", description = "Port (default 7070; 0 picks a free one).")
    Integer port;

    @Option(names = "--secure-cookies", description = "Mark the login cookie Secure even on plain HTTP (when a TLS proxy sits in front).")
    boolean secureCookies;

    @Option(names = "--trusted-proxy", paramLabel = "ADDR", description = "A proxy whose X-Forwarded-For is believed (such as 127.0.0.1 for tailscale serve); repeatable.")
    List<String> trustedProxies = new ArrayList<>();

    @Option(names = "--host", paramLabel = "NAME", description = "Another name this server answers to (a proxy's or a DNS name of this machine); repeatable. "
            + "Requests naming any host it does not serve get 421.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--preview-ports", paramLabel = "FIRST-LAST", defaultValue = "${env:BURROW_PREVIEW_PORTS:-7101-7199}",
            description = "The ports live previews are served on, one per session and container port (default 7101-7199, or BURROW_PREVIEW_PORTS).")
    String previewPorts;

    /** These options as serve's arguments. */
    List<String> args() {
        List<String> out = new ArrayList<>();
        if (bind != null) out.addAll(List.of("--bind", bind));
        if (port != null) out.addAll(List.of("--port", port.toString()));
        if (secureCookies) out.add("--secure-cookies");
        trustedProxies.forEach(p -> out.addAll(List.of("--trusted-proxy", p)));
        hosts.forEach(h -> out.addAll(List.of("--host", h)));
        if (previewPorts != null && !previewPorts.equals(WebOptions.PortRange.DEFAULT.toString())) out.addAll(List.of("--preview-ports", previewPorts));
        return out;
    }
}
