package dev.burrow.gateway;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The gateway's side of TLS toward the container: per host, a context with that host's leaf of Burrow's CA, made once. */
public final class ServerTls {
    private final BurrowCa ca;
    private final Map<String, SSLContext> contexts = new ConcurrentHashMap<>();

    public ServerTls(BurrowCa ca) {
        this.ca = Objects.requireNonNull(ca);
    }

    SSLContext forHost(String host) {
        return contexts.computeIfAbsent(host, h -> {
            try {
                BurrowCa.Leaf leaf = ca.leaf(h);
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("leaf", leaf.key(), new char[0], leaf.chain());
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), null, null);
                return ctx;
            } catch (GeneralSecurityException | java.io.IOException e) {
                throw new IllegalStateException("cannot answer TLS for " + h + ": " + e.getMessage(), e);
            }
        });
    }
}
