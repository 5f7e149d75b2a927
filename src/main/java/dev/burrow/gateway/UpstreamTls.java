package dev.burrow.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP client the gateways use toward the real APIs: the JDK's trusted CAs, plus those of
 * {@code BURROW_UPSTREAM_CA} when set (a TLS-inspecting proxy on the way, a gateway with a CA
 * of its own). Burrow's own CA is never among them: it signs for the container, not for the
 * world. No redirects are followed: a credential goes to the host it was meant for and no further.
 */
public final class UpstreamTls {
    private UpstreamTls() {
    }

    public static HttpClient client(Path extraCa) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER);
        if (extraCa != null) b.sslContext(context(extraCa));
        return b.build();
    }

    static SSLContext context(Path extraCa) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            int n = 0;
            for (var tm : jdk.getTrustManagers()) {
                if (tm instanceof javax.net.ssl.X509TrustManager x) {
                    for (var c : x.getAcceptedIssuers()) trust.setCertificateEntry("jdk-" + n++, c);
                }
            }
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(extraCa)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) throw new IllegalArgumentException("BURROW_UPSTREAM_CA (" + extraCa + ") holds no PEM certificate");
            for (Certificate c : extra) trust.setCertificateEntry("extra-" + n++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BURROW_UPSTREAM_CA (" + extraCa + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("BURROW_UPSTREAM_CA (" + extraCa + ") is not a PEM file of certificates: " + e.getMessage(), e);
        }
    }
}
