package dev.burrow.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.container.Commands;
import dev.burrow.container.ProcessRunner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --bind tailscale: the tailnet address and names from the tailscale CLI's answers, and what to do when it has none. */
class TailscaleTest {
    final List<List<String>> calls = new ArrayList<>();

    /** Answers each tailscale subcommand with what a real one prints, through a real process. */
    private Tailscale tailscale(Map<String, String[]> answers) {
        ProcessRunner runner = argv -> {
            calls.add(argv);
            String[] a = answers.get(argv.get(1));
            if (a == null) throw new IOException("Cannot run program \"tailscale\": error=2, No such file or directory");
            return new ProcessBuilder("bash", "-c", "printf '%s' \"$1\"; printf '%s' \"$2\" >&2; exit \"$3\"", "_", a[0], a[1], a[2]).start();
        };
        return new Tailscale(new Commands(runner));
    }

    @Test
    void theTailnetAddressAndItsMagicDnsNames() {
        Tailscale.Address a = tailscale(Map.of("ip", new String[] {"100.101.102.103\n", "", "0"},
                "status", new String[] {"{\"Self\":{\"DNSName\":\"Burrow-Box.tail5e1f.ts.net.\",\"HostName\":\"burrow-box\"}}", "", "0"})).resolve();
        assertThat(a.ip()).isEqualTo("100.101.102.103");
        assertThat(a.names()).containsExactly("burrow-box.tail5e1f.ts.net", "burrow-box");
        assertThat(calls.getFirst()).containsExactly("tailscale", "ip", "-4");
    }

    @Test
    void withoutTailscaleOrWithItDownTheErrorSaysWhatToDo() {
        assertThatThrownBy(() -> tailscale(Map.of()).resolve()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tailscale command is not installed").hasMessageContaining("tailscale up");
        assertThatThrownBy(() -> tailscale(Map.of("ip", new String[] {"", "Tailscale is stopped.\n", "1"})).resolve())
                .hasMessage("--bind tailscale: Tailscale is not up (tailscale ip -4: Tailscale is stopped.); run `sudo tailscale up`, then start Burrow again");
    }

    @Test
    void withoutMagicDnsTheAddressStillServes() {
        Tailscale.Address a = tailscale(Map.of("ip", new String[] {"100.64.0.7\n", "", "0"}, "status", new String[] {"not json", "", "0"})).resolve();
        assertThat(a.ip()).isEqualTo("100.64.0.7");
        assertThat(a.names()).isEmpty();
    }
}
