package dev.burrow.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-session stand-ins for Burrow's credentials: what a session's container holds where
 * it would otherwise hold an API key or token. Each is worth something only at that session's
 * gateway, which swaps it for the real credential on requests to the host the credential
 * belongs to.
 *
 * <p>A placeholder is derived, not stored: an HMAC of the session's id (and the credential's
 * purpose) under the install's placeholder key ({@code placeholder.key}, owner-only, never
 * mounted). So every Burrow process that follows the session (the server, a CLI, the server
 * after a restart) computes the same one, and a container learns nothing about another
 * session's from its own.
 */
public final class Placeholders {
    public static final String PREFIX = "burrow-session-";
    private static final String KEY_FILE = "placeholder.key";

    /** What a placeholder stands for; each gets a value of its own. */
    public enum Purpose {
        MODEL, GITHUB
    }

    private final byte[] key;

    private Placeholders(byte[] key) {
        this.key = key;
    }

    /** The install's placeholder key in {@code dir}, made first when there is none; two processes making it at once agree on one. */
    public static Placeholders loadOrCreate(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(KEY_FILE);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Path tmp = Files.createTempFile(dir, ".placeholder-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                try {
                    Files.writeString(tmp, Base64.getEncoder().encodeToString(fresh), StandardCharsets.US_ASCII);
                    // A link, not a rename: the first process to make the key wins, the other reads it.
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException lost) {
                    // made by another process meanwhile
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) throw new IOException(file + " is not a regular file");
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (key.length < 32) throw new IOException(file + " holds no key; delete it to make a new one (sessions then need a restart)");
            return new Placeholders(key);
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException("cannot make or read Burrow's placeholder key in " + dir, e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** The session's placeholder for this purpose: {@code burrow-session-} and 43 URL-safe characters. */
    public String of(String sessionId, Purpose purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] h = mac.doFinal((purpose.name() + "\n" + sessionId).getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(h);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code presented} is exactly this session's placeholder for {@code purpose}, compared in constant time. */
    public boolean matches(String sessionId, Purpose purpose, String presented) {
        return presented != null && MessageDigest.isEqual(of(sessionId, purpose).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
