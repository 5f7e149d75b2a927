package dev.burrow.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both ends of the preview protocol: {@link PreviewTunnel} against the runner's own
 * burrow-preview script (run here, on this machine's loopback, with its socket path moved), so
 * that neither side can drift from the other.
 */
class PreviewTunnelTest {
    @TempDir
    Path tmp;

    @Test
    void theForwarderReportsPortsAndCarriesAConnectionToOneAndSaysWhenNothingListens() throws Exception {
        Path sock = tmp.resolve("preview.sock");
        try (PreviewTunnel tunnel = PreviewTunnel.start("session-under-test", sock);
             ServerSocket app = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket c = app.accept()) {
                    String got = new String(c.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
                    c.getOutputStream().write(("app got " + got).getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the test fails on what it reads
                }
            });
            ProcessBuilder pb = new ProcessBuilder("python3", Path.of("runner/burrow-preview").toAbsolutePath().toString()).redirectErrorStream(true);
            pb.environment().put("BURROW_PREVIEW_SOCKET", sock.toString());
            Process forwarder = pb.start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (tunnel.ports().isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
                assertThat(tunnel.ports()).as("what listens here, as the forwarder reads the kernel's socket list").isNotEmpty().hasSizeLessThanOrEqualTo(32);

                Optional<SocketChannel> c = tunnel.open(app.getLocalPort(), Duration.ofSeconds(10));
                assertThat(c).isPresent();
                try (SocketChannel ch = c.get()) {
                    OutputStream out = Channels.newOutputStream(ch);
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                    InputStream in = Channels.newInputStream(ch);
                    assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("app got hello");
                }
                int free;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    free = s.getLocalPort();
                }
                assertThat(tunnel.open(free, Duration.ofSeconds(10))).isEmpty();
            } finally {
                forwarder.destroyForcibly();
            }
        }
    }

    @Test
    void portsAreNumbersInRangeAtMost32() {
        assertThat(PreviewTunnel.parsePorts("ports 8000 5173 x 0 70000 -1 8000")).containsExactly(5173, 8000);
        StringBuilder many = new StringBuilder("ports");
        for (int p = 1000; p < 1100; p++) many.append(' ').append(p);
        assertThat(PreviewTunnel.parsePorts(many.toString())).hasSize(32);
        assertThat(PreviewTunnel.parsePorts("ports")).isEmpty();
    }
}
