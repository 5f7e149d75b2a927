package dev.burrow.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServedHostsTest {
    @Test
    void onLoopbackItServesLoopbackNamesItsOwnNameAndTheGivenOnesOnly() {
        ServedHosts served = ServedHosts.of("127.0.0.1", List.of("Burrow.Example.TS.net."));
        assertThat(served.serves("localhost:7070")).isTrue();
        assertThat(served.serves("127.0.0.1:7070")).isTrue();
        assertThat(served.serves("[::1]:7070")).isTrue();
        assertThat(served.serves("burrow.example.ts.net")).isTrue();
        assertThat(served.serves("LOCALHOST")).isTrue();
        // A rebinding page sends its own name: refused however it resolves.
        assertThat(served.serves("evil.example:7070")).isFalse();
        assertThat(served.serves("127.0.0.1.evil.example")).isFalse();
        assertThat(served.serves("localhost.evil.example:7070")).isFalse();
    }

    @Test
    void onAnAddressItServesThatAddressButNotLoopbackNames() {
        ServedHosts served = ServedHosts.of("192.0.2.7", List.of());
        assertThat(served.serves("192.0.2.7:7070")).isTrue();
        assertThat(served.serves("localhost:7070")).isFalse();
        assertThat(served.serves("evil.example")).isFalse();
    }

    @Test
    void onAWildcardItServesTheMachinesOwnAddresses() {
        ServedHosts served = ServedHosts.of("0.0.0.0", List.of());
        assertThat(served.serves("127.0.0.1:7070")).isTrue(); // loopback is one of the machine's addresses
        assertThat(served.serves("evil.example")).isFalse();
    }

    @Test
    void theHostIsTheNameWithoutItsPort() {
        assertThat(ServedHosts.hostOnly("[::1]:7070")).isEqualTo("::1");
        assertThat(ServedHosts.hostOnly("box:7070")).isEqualTo("box");
        assertThat(ServedHosts.hostOnly("box")).isEqualTo("box");
    }
}
