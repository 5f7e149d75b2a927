package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ClientHello's server name, read from what the JDK's own TLS sends, and the allowlist's check on it. */
class TlsClientHelloTest {
    @TempDir
    Path tmp;

    /** The first flight of a real TLS client asking for {@code name}. */
    static byte[] clientHello(String name) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine(name, 443);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(name)));
        engine.setSSLParameters(p);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    @Test
    void theServerNameIsReadFromARealClientHelloAndEverythingReadIsKept() throws Exception {
        byte[] hello = clientHello("pypi.org");
        TlsClientHello read = TlsClientHello.read(new ByteArrayInputStream(hello));
        assertThat(read.tls()).isTrue();
        assertThat(read.serverName()).hasValue("pypi.org");
        assertThat(read.bytes()).isEqualTo(hello);
        TlsClientHello plain = TlsClientHello.read(new ByteArrayInputStream("SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(plain.tls()).isFalse();
        assertThat(plain.bytes()).containsExactly('S');
        assertThat(TlsClientHello.read(new ByteArrayInputStream(new byte[] {0x16, 3, 1, 0x40, 0})).serverName()).isEmpty(); // cut short
    }

    @Test
    void underTheAllowlistATunnelWhoseTlsAsksForAnotherHostIsClosed() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            int port = upstream.getLocalPort();
            var rules = new EgressProxy.Rules(NetworkPolicy.ALLOWLIST, Allowlist.parse("localhost:" + port), Map.of(), PrivateAddresses.parse("127.0.0.0/8"));
            // Another site's name behind a listed host's address: nothing of it goes on.
            assertThat(tunnel(rules, port, clientHello("evil.example"), upstream)).isEmpty();
            // The listed host's own name: the ClientHello goes on as it was.
            byte[] good = clientHello("localhost");
            assertThat(tunnel(rules, port, good, upstream)).isEqualTo(good);
        }
    }

    /** Opens a tunnel to localhost:port through the proxy, sends {@code first}, and returns what the upstream got. */
    private byte[] tunnel(EgressProxy.Rules rules, int port, byte[] first, ServerSocket upstream) throws Exception {
        Path sock = tmp.resolve("egress-" + System.nanoTime() + ".sock");
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (Socket s = upstream.accept()) {
                s.setSoTimeout(3000);
                return s.getInputStream().readNBytes(first.length);
            } catch (Exception e) {
                return new byte[0];
            }
        });
        try (EgressProxy proxy = EgressProxy.start("0123456789", sock, rules);
             SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("CONNECT localhost:" + port + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(first);
            out.flush();
            InputStream in = Channels.newInputStream(ch);
            String answer = new String(in.readNBytes(39), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 200");
            byte[] got = received.get(5, TimeUnit.SECONDS);
            return got;
        }
    }
}
