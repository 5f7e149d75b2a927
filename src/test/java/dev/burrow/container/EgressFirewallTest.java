package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The full policy's firewall: what its ruleset lets through, refuses, and in which order. */
class EgressFirewallTest {
    @Test
    void theRulesetRefusesTheMachineAndPrivateRangesAfterLettingDnsAndAllowedRangesThrough() throws Exception {
        String rules = EgressFirewall.ruleset(PrivateAddresses.parse("10.1.2.0/24,fd12::/64"),
                Set.of(InetAddress.getByName("192.0.2.2"), InetAddress.getByName("fd00::2")), List.of(PrivateAddresses.range("198.51.100.0/24")),
                List.of(InetAddress.getByName("10.255.255.53")),
                List.of(new java.net.InetSocketAddress(InetAddress.getByName("192.168.1.10"), 4000)));
        List<String> lines = rules.lines().map(String::strip).toList();
        int dns = lines.indexOf("ip daddr { 10.0.2.3, 10.255.255.53 } meta l4proto { tcp, udp } th dport 53 accept");
        int model = lines.indexOf("ip daddr 192.168.1.10 tcp dport 4000 accept");
        int allowed4 = lines.indexOf("ip daddr { 10.1.2.0/24 } accept");
        int allowed6 = lines.indexOf("ip6 daddr { fd12:0:0:0:0:0:0:0/64 } accept");
        int refused4 = lines.stream().filter(l -> l.startsWith("ip daddr") && l.endsWith("reject")).findFirst().map(lines::indexOf).orElse(-1);
        int refused6 = lines.stream().filter(l -> l.startsWith("ip6 daddr") && l.endsWith("reject")).findFirst().map(lines::indexOf).orElse(-1);
        assertThat(List.of(lines.indexOf("oifname \"lo\" accept"), dns, model, allowed4, allowed6, refused4, refused6)).doesNotContain(-1).isSorted();
        assertThat(lines.get(refused4)).contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8",
                "192.0.2.2", "198.51.100.0/24", "224.0.0.0/4");
        assertThat(lines.get(refused6)).contains("fc00:0:0:0:0:0:0:0/7", "fe80:0:0:0:0:0:0:0/10", "fd00:0:0:0:0:0:0:2");
        // The table is replaced whole, never added to.
        assertThat(rules).startsWith("table inet burrow_guard {}\ndelete table inet burrow_guard\ntable inet burrow_guard {");
    }
}
