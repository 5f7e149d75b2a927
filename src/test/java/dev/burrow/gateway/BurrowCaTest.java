package dev.burrow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The install's CA: made once, private, and its leaves pass a real TLS client's checks for their host alone. */
class BurrowCaTest {
    @TempDir
    Path tmp;

    @Test
    void theCaIsMadeOnceKeptPrivateAndReadBack() throws Exception {
        Path dir = tmp.resolve("ca");
        BurrowCa first = BurrowCa.loadOrCreate(dir);
        BurrowCa again = BurrowCa.loadOrCreate(dir);
        assertThat(again.fingerprint()).isEqualTo(first.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(BurrowCa.fingerprintIfMade(dir)).isEqualTo(first.fingerprint());
        assertThat(BurrowCa.fingerprintIfMade(tmp.resolve("none"))).isNull();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.pem")))).isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("ca.pem"))).contains("BEGIN PRIVATE KEY", "BEGIN CERTIFICATE");
        // What containers get holds the certificate alone.
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(first.certificatePem()).doesNotContain("PRIVATE");
        assertThat(first.certificate().getBasicConstraints()).isEqualTo(0);
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void twoProcessesMakingItAtOnceAgreeOnOne() throws Exception {
        Path dir = tmp.resolve("ca");
        List<CompletableFuture<String>> makers = java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> BurrowCa.loadOrCreate(dir).fingerprint())).toList();
        assertThat(makers.stream().map(CompletableFuture::join).distinct()).hasSize(1);
    }

    @Test
    void aLeafPassesATlsClientThatTrustsTheCaForItsHostOnly() throws Exception {
        BurrowCa ca = BurrowCa.loadOrCreate(tmp.resolve("ca"));
        assertThat(handshake(ca, "api.anthropic.com", "api.anthropic.com")).isEqualTo("hello");
        assertThatThrownBy(() -> handshake(ca, "api.anthropic.com", "github.com")).hasRootCauseInstanceOf(java.security.cert.CertificateException.class);
        assertThat(ca.leaf("API.anthropic.com")).isSameAs(ca.leaf("api.anthropic.com"));
        // A client that trusts only the JDK's own CAs refuses it.
        assertThatThrownBy(() -> handshake(null, "api.anthropic.com", "api.anthropic.com")).isInstanceOf(SSLHandshakeException.class);
    }

    /** A TLS server with the leaf for {@code leafHost}; a client (trusting {@code ca}, or the JDK's CAs when null) connects as to {@code clientHost}. */
    private static String handshake(BurrowCa ca, String leafHost, String clientHost) throws Exception {
        BurrowCa.Leaf leaf = (ca != null ? ca : BurrowCa.loadOrCreate(Files.createTempDirectory("other-ca"))).leaf(leafHost);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", leaf.key(), new char[0], leaf.chain());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        if (ca != null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("burrow", ca.certificate());
            tmf.init(trust);
        } else {
            tmf.init((KeyStore) null);
        }
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (var s = ss.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("hello".getBytes());
                } catch (Exception ignored) {
                    // the client refused the certificate
                }
            });
            try (var plain = new java.net.Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
                 SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(plain, clientHost, ss.getLocalPort(), true)) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes());
            } finally {
                served.join();
            }
        }
    }
}
