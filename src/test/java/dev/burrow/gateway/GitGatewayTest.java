package dev.burrow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.burrow.workspace.GitHost;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git gateway in front of a recording stand-in for a git host on loopback, spoken to over its socket as the container would. */
class GitGatewayTest {
    static final String TOKEN = "ghp_realtoken0123456789";
    static final String PLACEHOLDER = "burrow-session-git0000000000000000000000000000000000000";
    static final String MODEL_PLACEHOLDER = "burrow-session-model00000000000000000000000000000000000";

    @TempDir
    Path tmp;
    HttpServer upstream;
    final List<String> seen = new CopyOnWriteArrayList<>();
    GitGateway gateway;
    Path socket;

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " auth=" + ex.getRequestHeaders().getFirst("Authorization") + " body="
                    + new String(body, StandardCharsets.ISO_8859_1));
            byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        upstream.start();
        GitHost host = new GitHost(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()), TOKEN);
        gateway = new GitGateway("session-0123456789", host, new GitScope("org/repo", "burrow/1a2b3c4d", true), PLACEHOLDER, MODEL_PLACEHOLDER,
                new ServerTls(BurrowCa.loadOrCreate(tmp.resolve("ca"))), HttpClient.newHttpClient());
        socket = tmp.resolve("git.sock");
        gateway.listen(socket);
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.stop(0);
    }

    static String basic(String secret) {
        return "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + secret).getBytes(StandardCharsets.UTF_8));
    }

    String send(String method, String target, String auth, byte[] body) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write((method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + (auth == null ? "" : "Authorization: " + auth + "\r\n")
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
            } catch (IOException refusedBeforeTheBody) {
                // The gateway may answer a refusal and close before reading the body, as it does for git: read its answer.
            }
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theSessionsRepositoryGetsTheRealTokenInPlaceOfThePlaceholder() throws IOException {
        assertThat(send("GET", "/org/repo.git/info/refs?service=git-upload-pack", basic(PLACEHOLDER), new byte[0])).startsWith("HTTP/1.1 200");
        assertThat(send("GET", "/api/v3/repos/org/repo", "token " + PLACEHOLDER, new byte[0])).startsWith("HTTP/1.1 200");
        assertThat(seen).containsExactly("GET /org/repo.git/info/refs?service=git-upload-pack auth=" + basic(TOKEN) + " body=",
                "GET /api/v3/repos/org/repo auth=token " + TOKEN + " body=");
    }

    @Test
    void aPushGoesThroughOnlyToTheSessionsBranchAndGitIsToldWhyNot() throws IOException {
        byte[] own = GitScopeTest.push("refs/heads/burrow/1a2b3c4d");
        assertThat(send("POST", "/org/repo.git/git-receive-pack", basic(PLACEHOLDER), own)).startsWith("HTTP/1.1 200");
        assertThat(seen).singleElement().satisfies(s -> assertThat(s).contains("auth=" + basic(TOKEN))
                .endsWith("body=" + new String(own, StandardCharsets.ISO_8859_1)));
        seen.clear();
        String refused = send("POST", "/org/repo.git/git-receive-pack", basic(PLACEHOLDER), GitScopeTest.push("refs/heads/burrow/1a2b3c4d", "refs/heads/main"));
        assertThat(refused).startsWith("HTTP/1.1 200").contains("application/x-git-receive-pack-result")
                .contains("ng refs/heads/main burrow: this session pushes only to refs/heads/burrow/1a2b3c4d");
        assertThat(send("POST", "/org/other.git/git-receive-pack", basic(PLACEHOLDER), GitScopeTest.push("refs/heads/burrow/1a2b3c4d")))
                .startsWith("HTTP/1.1 403").contains("burrow: this session pushes only to its own repository org/repo");
        assertThat(seen).isEmpty();
    }

    @Test
    void withoutThePlaceholderNothingIsAddedAndTheModelsPlaceholderIsRefusedHere() throws IOException {
        assertThat(send("GET", "/other/public.git/info/refs?service=git-upload-pack", basic(PLACEHOLDER), new byte[0])).startsWith("HTTP/1.1 200");
        assertThat(send("GET", "/org/repo.git/info/refs?service=git-upload-pack", "token someone-elses", new byte[0])).startsWith("HTTP/1.1 200");
        assertThat(send("GET", "/org/repo.git/info/refs?service=git-upload-pack", "Bearer " + MODEL_PLACEHOLDER, new byte[0]))
                .startsWith("HTTP/1.1 403").contains("burrow: this session's model credential is only sent to its model API");
        assertThat(send("POST", "/api/v3/repos/org/repo/pulls", "token " + PLACEHOLDER,
                "{\"head\":\"main\",\"base\":\"dev\"}".getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 403");
        assertThat(send("POST", "/api/v3/repos/org/repo/pulls", "token " + PLACEHOLDER,
                "{\"head\":\"burrow/1a2b3c4d\",\"base\":\"main\",\"head_repo\":\"org/other\"}".getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 403");
        assertThat(send("POST", "/api/v3/repos/org/repo/pulls", "token " + PLACEHOLDER,
                "{\"head\":\"burrow/1a2b3c4d\",\"base\":\"main\"}".getBytes(StandardCharsets.UTF_8))).startsWith("HTTP/1.1 200");
        assertThat(seen).containsExactly("GET /other/public.git/info/refs?service=git-upload-pack auth=null body=",
                "GET /org/repo.git/info/refs?service=git-upload-pack auth=token someone-elses body=",
                "POST /api/v3/repos/org/repo/pulls auth=token " + TOKEN + " body={\"head\":\"burrow/1a2b3c4d\",\"base\":\"main\"}");
    }

    @Test
    void aSecondAuthorizationOrAnotherSessionsPlaceholderIsRefusedBeforeAnythingIsSent() throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Channels.newOutputStream(ch).write(("GET /api/v3/user HTTP/1.1\r\nAuthorization: token abc\r\nAuthorization: token " + PLACEHOLDER
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 400")
                    .contains("burrow: one Authorization header at most");
        }
        assertThat(send("GET", "/org/repo.git/info/refs?service=git-upload-pack", "token burrow-session-another", new byte[0]))
                .startsWith("HTTP/1.1 403").contains("burrow: a session's credentials are only sent to the hosts they belong to");
        assertThat(seen).isEmpty();
    }

    @Test
    void tlsIsAnsweredWithALeafOfBurrowsCaForTheHostAsked() throws Exception {
        BurrowCa ca = BurrowCa.loadOrCreate(tmp.resolve("ca"));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); TlsServerStream tls = new TlsServerStream(new ServerTls(ca).forHost("github.com"), s.getInputStream(),
                        s.getOutputStream())) {
                    tls.handshake();
                    InputStream in = tls.in();
                    byte[] got = in.readNBytes(5);
                    OutputStream out = tls.out();
                    out.write(("echo:" + new String(got, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("burrow", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
                var p = s.getSSLParameters();
                p.setServerNames(List.of(new javax.net.ssl.SNIHostName("github.com")));
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                // HTTPS identification checks the name against the peer host; connect by IP but verify github.com's leaf by hand.
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(new String(s.getInputStream().readNBytes(10), StandardCharsets.US_ASCII)).isEqualTo("echo:hello");
                var leaf = (java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0];
                assertThat(leaf.getSubjectAlternativeNames().toString()).contains("github.com");
            }
        }
    }
}
