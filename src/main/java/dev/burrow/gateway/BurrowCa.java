package dev.burrow.gateway;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The install's own certificate authority, for the credential gateway: the gateway answers
 * for the few hosts whose credentials Burrow holds (the model API, GitHub) with leaf
 * certificates this CA signs, and containers trust it. Made once per install in the data
 * dir: {@code ca.pem} (the key and the certificate, owner-only, never mounted anywhere) and
 * {@code ca.crt} (the certificate alone, which containers get). EC P-256, ten years; leaves
 * are made on demand in memory, for 30 days, and never written.
 */
public final class BurrowCa {
    private static final String KEY_FILE = "ca.pem";
    private static final String CERT_FILE = "ca.crt";
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration LEAF_LIFETIME = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A leaf's key and its chain (leaf, then the CA). */
    public record Leaf(PrivateKey key, X509Certificate[] chain) {
    }

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Map<String, Leaf> leaves = new ConcurrentHashMap<>();

    private BurrowCa(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /** The CA in {@code dir}, made there first when there is none; two processes making it at once agree on one. */
    public static BurrowCa loadOrCreate(Path dir) {
        try {
            Path keyFile = dir.resolve(KEY_FILE);
            if (!Files.exists(keyFile)) create(dir);
            BurrowCa ca = read(Files.readString(keyFile, StandardCharsets.US_ASCII));
            Path certFile = dir.resolve(CERT_FILE);
            if (!Files.exists(certFile) || !Files.readString(certFile, StandardCharsets.US_ASCII).equals(ca.certificatePem())) {
                writeNew(dir, CERT_FILE, ca.certificatePem(), "rw-r--r--", true);
            }
            return ca;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make or read Burrow's CA in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make or read Burrow's CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The CA's certificate file, for doctor: its fingerprint when made, else null. */
    public static String fingerprintIfMade(Path dir) {
        try {
            Path keyFile = dir.resolve(KEY_FILE);
            return Files.exists(keyFile) ? read(Files.readString(keyFile, StandardCharsets.US_ASCII)).fingerprint() : null;
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }

    private static void create(Path dir) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        KeyPair pair = ecKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=Burrow local CA (" + hostName() + "), O=Burrow");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
        X509Certificate cert = sign(b, pair.getPrivate());
        // Exclusive: a second process making one at the same moment keeps the first one's.
        writeNew(dir, KEY_FILE, pem(pair.getPrivate()) + pem(cert), "rw-------", false);
    }

    /** Writes {@code name} through a temp file: linked in place (never over another's) or, when {@code replace}, moved over it. */
    private static void writeNew(Path dir, String name, String content, String mode, boolean replace) throws IOException {
        Path tmp = Files.createTempFile(dir, name, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            if (replace) {
                Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } else {
                try {
                    Files.createLink(dir.resolve(name), tmp);
                } catch (FileAlreadyExistsException lost) {
                    // another process made it first: theirs stands
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static BurrowCa read(String pem) throws IOException, GeneralSecurityException {
        PrivateKey key = null;
        X509Certificate cert = null;
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            for (Object o; (o = p.readObject()) != null; ) {
                if (o instanceof PrivateKeyInfo info) key = new JcaPEMKeyConverter().getPrivateKey(info);
                if (o instanceof org.bouncycastle.openssl.PEMKeyPair pair) key = new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo());
                if (o instanceof X509CertificateHolder h) cert = new JcaX509CertificateConverter().getCertificate(h);
            }
        }
        if (key == null || cert == null) throw new GeneralSecurityException("ca.pem lacks its key or its certificate");
        return new BurrowCa(key, cert);
    }

    /** A certificate for {@code host} (a name or an address), signed by this CA; made once per process and host. */
    public Leaf leaf(String host) {
        return leaves.computeIfAbsent(host.toLowerCase(java.util.Locale.ROOT), h -> {
            try {
                KeyPair pair = ecKeyPair();
                Instant now = Instant.now();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(LEAF_LIFETIME)), new X500Name("CN=" + h), pair.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                boolean ip = h.matches("[0-9.]+|[0-9a-f:]+");
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, h)));
                b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
                return new Leaf(pair.getPrivate(), new X509Certificate[] {sign(b, key), certificate});
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot make a certificate for " + h + ": " + e.getMessage(), e);
            }
        });
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The certificate in PEM, as containers get it. */
    public String certificatePem() {
        return pem(certificate);
    }

    /** The SHA-256 fingerprint of the certificate, as doctor shows it (AA:BB:...). */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (org.bouncycastle.operator.OperatorCreationException | java.security.cert.CertificateException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(120, RANDOM);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this machine";
        }
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            // A key as PKCS#8 ("PRIVATE KEY"), which is what read() takes back.
            if (o instanceof PrivateKey k) w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null));
            else w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
