package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class PrivateAddressesTest {
    @Test
    void theUsersOwnNetworksAreRefusedAndTheInternetIsNot() throws Exception {
        PrivateAddresses guard = PrivateAddresses.NONE_ALLOWED;
        for (String a : new String[] {"10.1.2.3", "172.20.0.1", "192.168.1.1", "100.100.100.100", "169.254.169.254", "fd12::1", "fe80::1"}) {
            assertThat(guard.refusal(InetAddress.getByName(a))).as(a).contains("private address");
        }
        for (String a : new String[] {"127.0.0.1", "::1", "0.0.0.0", "::ffff:127.0.0.1"}) {
            assertThat(guard.refusal(InetAddress.getByName(a))).as(a).contains("this machine");
        }
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress own : Collections.list(ni.getInetAddresses())) assertThat(guard.refusal(own)).as(own.toString()).isNotNull();
        }
        assertThat(guard.refusal(InetAddress.getByName("93.184.215.14"))).isNull();
        assertThat(guard.refusal(InetAddress.getByName("2606:4700::1"))).isNull();
    }

    @Test
    void rangesTheUserAllowsPassAndBadOnesAreRefusedWithTheFix() throws Exception {
        PrivateAddresses guard = PrivateAddresses.parse("10.1.2.0/24, fd12::/64");
        assertThat(guard.refusal(InetAddress.getByName("10.1.2.77"))).isNull();
        assertThat(guard.refusal(InetAddress.getByName("10.1.3.1"))).isNotNull();
        assertThat(guard.refusal(InetAddress.getByName("fd12::5"))).isNull();
        assertThat(guard.toString()).isEqualTo("10.1.2.0/24, fd12:0:0:0:0:0:0:0/64");
        assertThatThrownBy(() -> PrivateAddresses.parse("nas.local")).hasMessageContaining("use CIDR such as 10.1.2.0/24");
        assertThatThrownBy(() -> PrivateAddresses.parse("10.0.0.0/33")).hasMessageContaining("is not a range");
    }
}
