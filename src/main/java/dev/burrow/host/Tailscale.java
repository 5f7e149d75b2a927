package dev.burrow.host;

import dev.burrow.container.Commands;
import dev.burrow.container.ExecResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * This machine on its tailnet, for {@code --bind tailscale}: the address to listen on
 * ({@code tailscale ip -4}) and the names the phone will use for it (its MagicDNS name, from
 * {@code tailscale status --json}), which the Host allowlist must accept.
 */
public final class Tailscale {
    /** The word that asks for the tailnet address instead of an address. */
    public static final String BIND_WORD = "tailscale";

    /** The tailnet address and the names that reach it (the full MagicDNS name and its first label). */
    public record Address(String ip, List<String> names) {
    }

    private final Commands commands;

    public Tailscale(Commands commands) {
        this.commands = Objects.requireNonNull(commands);
    }

    /** The address, or an exception whose message says what is wrong and what to do. */
    public Address resolve() {
        ExecResult ip = commands.run(List.of("tailscale", "ip", "-4"), 10);
        if (ip.exitCode() == 127) {
            throw new IllegalArgumentException("--bind tailscale: the tailscale command is not installed; install Tailscale"
                    + " (https://tailscale.com/download), run `sudo tailscale up`, then start Burrow again");
        }
        String address = ip.stdout().lines().map(String::strip).filter(l -> l.matches("\\d{1,3}(\\.\\d{1,3}){3}")).findFirst().orElse(null);
        if (!ip.ok() || address == null) {
            String said = ip.firstErrorLine().isBlank() ? "no IPv4 address" : ip.firstErrorLine();
            throw new IllegalArgumentException("--bind tailscale: Tailscale is not up (tailscale ip -4: " + said + "); run `sudo tailscale up`, then start Burrow again");
        }
        List<String> names = new ArrayList<>();
        ExecResult status = commands.run(List.of("tailscale", "status", "--json", "--self=true", "--peers=false"), 10);
        if (status.ok()) {
            try {
                JsonNode self = JsonMapper.builder().build().readTree(status.stdout()).path("Self");
                String dns = self.path("DNSName").asString("").toLowerCase(Locale.ROOT);
                if (dns.endsWith(".")) dns = dns.substring(0, dns.length() - 1);
                if (!dns.isBlank()) {
                    names.add(dns);
                    if (dns.contains(".")) names.add(dns.substring(0, dns.indexOf('.')));
                }
            } catch (JacksonException e) {
                // Without the names the address still serves; a request by name then gets 421, which says to add --host.
            }
        }
        return new Address(address, List.copyOf(names));
    }
}
