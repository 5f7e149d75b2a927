package dev.burrow.push;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The install's VAPID key pair (RFC 8292): an EC P-256 key made once in the data dir
 * ({@code push/vapid.key}, the private value, owner-only), whose public half the browser
 * subscribes with and every push is signed by, so that a push service takes pushes for
 * Burrow's subscriptions from Burrow alone.
 */
public record VapidKeys(ECPrivateKey privateKey, ECPublicKey publicKey) {
    static final String KEY_FILE = "vapid.key";

    /** The public key as the browser's applicationServerKey wants it: the uncompressed point, base64url. */
    public String publicKeyBase64Url() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(uncompressed(publicKey));
    }

    /** The install's keys in {@code dir}, made first when there are none; two processes making them at once agree on one. */
    public static VapidKeys loadOrCreate(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(KEY_FILE);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                KeyPair fresh = generate();
                Path tmp = Files.createTempFile(dir, ".vapid-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Base64.Encoder b64 = Base64.getEncoder();
                    Files.writeString(tmp, b64.encodeToString(fresh.getPrivate().getEncoded()) + "\n" + b64.encodeToString(fresh.getPublic().getEncoded()) + "\n");
                    Files.createLink(file, tmp); // the first process to make it wins; the other reads it
                } catch (FileAlreadyExistsException lost) {
                    // made by another process meanwhile
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) throw new IOException(file + " is not a regular file");
            String[] lines = Files.readString(file).strip().split("\n");
            if (lines.length != 2) throw new IOException(file + " holds no key pair; delete it to make a new one (devices then subscribe again)");
            KeyFactory f = KeyFactory.getInstance("EC");
            ECPrivateKey priv = (ECPrivateKey) f.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines[0].strip())));
            ECPublicKey pub = (ECPublicKey) f.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(lines[1].strip())));
            return new VapidKeys(priv, pub);
        } catch (IOException | IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
            throw new UncheckedIOException("cannot make or read Burrow's push key in " + dir, e instanceof IOException io ? io : new IOException(e));
        }
    }

    static KeyPair generate() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** The curve's parameters, as the JDK has them. */
    static ECParameterSpec p256() throws GeneralSecurityException {
        return ((ECPublicKey) generate().getPublic()).getParams();
    }

    /** 0x04 || X || Y, each coordinate 32 bytes. */
    static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        System.arraycopy(fixed(key.getW().getAffineX()), 0, out, 1, 32);
        System.arraycopy(fixed(key.getW().getAffineY()), 0, out, 33, 32);
        return out;
    }

    /** A public key from its uncompressed point (a subscription's p256dh). */
    static ECPublicKey publicKey(byte[] point) throws GeneralSecurityException {
        if (point.length != 65 || point[0] != 4) throw new GeneralSecurityException("not an uncompressed P-256 point");
        ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)), new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, p256()));
    }

    /** {@code n} as exactly 32 big-endian bytes. */
    static byte[] fixed(BigInteger n) {
        byte[] b = n.toByteArray();
        if (b.length == 32) return b;
        byte[] out = new byte[32];
        if (b.length > 32) System.arraycopy(b, b.length - 32, out, 0, 32);
        else System.arraycopy(b, 0, out, 32 - b.length, b.length);
        return out;
    }
}
