package dev.burrow.gateway;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.container.ContainerSpec;
import dev.burrow.container.ExecResult;
import dev.burrow.container.Limits;
import dev.burrow.container.Mount;
import dev.burrow.container.PodmanCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * How a session's container trusts Burrow's CA (the gateway answers for the git host with its
 * leaves) without paying for it at each start: once per runner image, Burrow reads the image's
 * own CA bundle and Java trust store, adds its CA certificate to each, and keeps the results in
 * the data dir ({@code ca/trust-<image>/}). Every container of that image gets them mounted,
 * read-only, over the image's own: curl, git, gh and Python's ssl read the bundle, and the
 * runner image points Node and Claude Code ({@code NODE_EXTRA_CA_CERTS}), git and Python's
 * requests at it too; Java reads the trust store. The certificate alone is at
 * {@code /run/burrow-ca/ca.crt}. Only public certificates are there; the CA's key never
 * leaves {@code ca/ca.pem}.
 */
public final class ContainerTrust {
    /** Where the certificate and the prepared files are in the container. */
    public static final String MOUNT = "/run/burrow-ca";
    private static final String BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
    private static final String JAVA_STORE = "/etc/ssl/certs/java/cacerts";
    private static final String SPLIT = "#BURROW-JAVA-TRUST";
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    /** @param javaStore the image has a Java trust store, prepared beside the bundle */
    public record Prepared(Path dir, boolean javaStore) {
    }

    private ContainerTrust() {
    }

    /** The trust files for containers of {@code imageId}, made first when missing (a throwaway container of the image, about a second). */
    public static Prepared prepare(ContainerEngine engine, String imageId, Path caDir, BurrowCa ca) {
        String key = imageId.replace("sha256:", "");
        Path dir = caDir.resolve("trust-" + key.substring(0, Math.min(16, key.length())));
        Path done = dir.resolve("complete");
        try {
            if (Files.isRegularFile(done, LinkOption.NOFOLLOW_LINKS)) return new Prepared(dir, Files.exists(dir.resolve("cacerts")));
            ContainerSpec spec = new ContainerSpec("burrow-trust-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36), imageId,
                    Map.of(PodmanCli.SESSION_LABEL, "runner-image-trust"), null, "none", List.of(), Map.of(), "/", List.of(), Limits.NONE,
                    List.of("sh", "-c", "cat " + BUNDLE + "; echo; echo '" + SPLIT + "'; [ -f " + JAVA_STORE + " ] && base64 -w0 " + JAVA_STORE + "; true"),
                    null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ExecResult r = engine.runOnce(spec, 16L << 20, Duration.ofSeconds(60), out);
            String text = out.toString(StandardCharsets.US_ASCII);
            int split = text.indexOf(SPLIT);
            if (!r.ok() || split < 0 || !text.contains("BEGIN CERTIFICATE")) {
                throw new ContainerException("cannot read the runner image's CA certificates: " + r.firstErrorLine());
            }
            Files.createDirectories(dir);
            String caPem = ca.certificatePem();
            write(dir.resolve("ca.crt"), caPem.getBytes(StandardCharsets.US_ASCII));
            write(dir.resolve("ca-certificates.crt"), (text.substring(0, split).strip() + "\n" + caPem).getBytes(StandardCharsets.US_ASCII));
            String java = text.substring(split + SPLIT.length()).strip();
            boolean javaStore = !java.isEmpty();
            if (javaStore) write(dir.resolve("cacerts"), javaStore(Base64.getDecoder().decode(java), ca));
            write(done, new byte[0]);
            return new Prepared(dir, javaStore);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the containers' trust in " + dir, e);
        }
    }

    /**
     * The image's Java trust store with Burrow's CA added, as JKS: Java reads its default trust
     * store without a password, and the certificates of a PKCS12 store Java writes are
     * encrypted under one (the JVM then finds no trust anchor at all); a JKS store's are not.
     */
    private static byte[] javaStore(byte[] image, BurrowCa ca) throws IOException {
        try {
            KeyStore ks = null;
            for (String type : List.of("PKCS12", "JKS")) {
                try {
                    KeyStore k = KeyStore.getInstance(type);
                    k.load(new ByteArrayInputStream(image), STORE_PASSWORD);
                    ks = k;
                    break;
                } catch (IOException | GeneralSecurityException wrongType) {
                    // try the next
                }
            }
            if (ks == null) throw new IOException("the runner image's Java trust store is neither PKCS12 nor JKS");
            KeyStore out = KeyStore.getInstance("JKS");
            out.load(null, null);
            for (String alias : java.util.Collections.list(ks.aliases())) {
                if (ks.isCertificateEntry(alias)) out.setCertificateEntry(alias, ks.getCertificate(alias));
            }
            out.setCertificateEntry("burrow-ca", ca.certificate());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            out.store(bytes, STORE_PASSWORD);
            return bytes.toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot add Burrow's CA to the Java trust store: " + e.getMessage(), e);
        }
    }

    private static void write(Path file, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".trust-", ".tmp");
        try {
            Files.write(tmp, content);
            tmp.toFile().setReadable(true, false);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The mounts that make a container trust Burrow's CA: read-only, over the image's own files. */
    public static List<Mount> mounts(Prepared p) {
        List<Mount> m = new ArrayList<>();
        m.add(new Mount(p.dir().resolve("ca.crt"), MOUNT + "/ca.crt", true));
        m.add(new Mount(p.dir().resolve("ca-certificates.crt"), BUNDLE, true));
        if (p.javaStore()) m.add(new Mount(p.dir().resolve("cacerts"), JAVA_STORE, true));
        return m;
    }

}
