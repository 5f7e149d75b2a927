package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The egress proxy's decisions, through its unix socket, against a server on this machine's loopback. */
class EgressProxyTest {
    @TempDir
    Path tmp;
    HttpServer local;

    @BeforeEach
    void start() throws IOException {
        local = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        local.createContext("/", ex -> {
            byte[] b = ("hello " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        local.start();
    }

    @AfterEach
    void stop() {
        local.stop(0);
    }

    String through(EgressProxy.Rules rules, String request) throws IOException {
        Path sock = tmp.resolve("egress.sock");
        try (EgressProxy proxy = EgressProxy.start("0123456789", sock, rules);
             SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = Channels.newInputStream(ch);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theModelApiIsReachedUnderTheNameTheContainerUsesEvenWhenItIsThisMachine() throws IOException {
        int port = local.getAddress().getPort();
        var rules = new EgressProxy.Rules(NetworkPolicy.NONE, Allowlist.parse("example.org"), Map.of("gw.example:" + port, "127.0.0.1:" + port));
        String answer = through(rules, "GET http://gw.example:" + port + "/v1/messages?x=1 HTTP/1.1\r\nHost: gw.example\r\nProxy-Connection: keep-alive\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200").contains("hello /v1/messages?x=1");
    }

    @Test
    void aConnectToAHostAGatewayAnswersForIsHandedToItWhenThePolicyAllowsItAndAPlaceholderNeverGoesOutInPlainHttp() throws IOException {
        java.util.List<String> handed = new java.util.concurrent.CopyOnWriteArrayList<>();
        EgressProxy.Interceptor gateway = new EgressProxy.Interceptor() {
            public boolean intercepts(String host, int port) {
                return host.equals("github.com") && port == 443;
            }

            public void serve(InputStream in, OutputStream out, String host, int port) throws IOException {
                handed.add(host + ":" + port);
                out.write("answered by the gateway".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        };
        Path sock = tmp.resolve("egress-gw.sock");
        for (NetworkPolicy policy : NetworkPolicy.values()) {
            var rules = new EgressProxy.Rules(policy, Allowlist.parse("github.com"), Map.of());
            try (EgressProxy proxy = EgressProxy.start("0123456789", sock, rules, gateway);
                 SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                Channels.newOutputStream(ch).write("CONNECT github.com:443 HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String answer = new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
                if (policy == NetworkPolicy.NONE) assertThat(answer).as(policy.label()).startsWith("HTTP/1.1 403");
                else assertThat(answer).as(policy.label()).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\nanswered by the gateway");
            }
        }
        assertThat(handed).containsExactly("github.com:443", "github.com:443");
        int port = local.getAddress().getPort();
        var full = new EgressProxy.Rules(NetworkPolicy.FULL, Allowlist.parse("x.org"), Map.of("gw.example:" + port, "127.0.0.1:" + port));
        assertThat(through(full, "GET http://gw.example:" + port + "/ HTTP/1.1\r\nAuthorization: token burrow-session-abc\r\n\r\n"))
                .startsWith("HTTP/1.1 403").contains("burrow: a session's credentials are only sent to the hosts they belong to, not gw.example");
    }

    @Test
    void hostsOffTheListAndThisMachineAreRefusedWithTheReason() throws IOException {
        int port = local.getAddress().getPort();
        var rules = new EgressProxy.Rules(NetworkPolicy.ALLOWLIST, Allowlist.parse("localhost:" + port + ",*.example.org"), Map.of());
        assertThat(through(rules, "CONNECT deb.debian.org:443 HTTP/1.1\r\nHost: deb.debian.org:443\r\n\r\n"))
                .startsWith("HTTP/1.1 403").contains("burrow refused deb.debian.org: it is not on this session's allowlist");
        // Listed, but it is this machine: Burrow's own port and every other local service stay out of reach.
        assertThat(through(rules, "GET http://localhost:" + port + "/ HTTP/1.1\r\nHost: localhost\r\n\r\n"))
                .startsWith("HTTP/1.1 403").contains("it is this machine");
        var none = new EgressProxy.Rules(NetworkPolicy.NONE, Allowlist.parse("localhost"), Map.of());
        assertThat(through(none, "CONNECT localhost:" + port + " HTTP/1.1\r\n\r\n")).contains("network policy is none");
        var full = new EgressProxy.Rules(NetworkPolicy.FULL, Allowlist.parse("x.org"), Map.of());
        assertThat(through(full, "GET /relative HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void anAllowlistMatchesNamesAndSubdomainsAndRejectsWhatIsNotAHostName() {
        Allowlist a = Allowlist.parse("pypi.org, *.example.org");
        assertThat(a.allows("pypi.org")).isTrue();
        assertThat(a.allows("PyPI.org.")).isTrue();
        assertThat(a.allows("files.pypi.org")).isFalse();
        assertThat(a.allows("a.b.example.org")).isTrue();
        assertThat(a.allows("example.org")).isTrue();
        assertThat(a.allows("badexample.org")).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Allowlist.parse("http://x.org/"))
                .hasMessageContaining("is not a host name");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NetworkPolicy.parse("open"))
                .hasMessageContaining("full, none or allowlist");
        assertThat(Allowlist.DEFAULT.allows("registry.npmjs.org")).isTrue();
        // Ports: 80 and 443, unless the entry names one.
        Allowlist ports = Allowlist.parse("pypi.org, git.example.org:2222");
        assertThat(ports.allows("pypi.org", 443)).isTrue();
        assertThat(ports.allows("pypi.org", 80)).isTrue();
        assertThat(ports.allows("pypi.org", 22)).isFalse();
        assertThat(ports.allows("git.example.org", 2222)).isTrue();
        assertThat(ports.allows("git.example.org", 443)).isFalse();
        var rules = new EgressProxy.Rules(NetworkPolicy.ALLOWLIST, ports, Map.of());
        assertThat(rules.decide("pypi.org", 22).refusal()).contains("port 22 is not allowed");
        assertThat(rules.decide("other.org", 443).refusal()).contains("not on this session's allowlist");
    }
}
