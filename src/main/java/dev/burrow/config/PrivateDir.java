package dev.burrow.config;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Burrow's data dir holds transcripts, workspaces and secrets: it is the user's alone (0700),
 * whatever the umask, and so is everything below it.
 */
public final class PrivateDir {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDir() {
    }

    /** The C library's umask(2), through JNA (which pty4j brings): the JDK has no way to set it. */
    private interface LibC extends Library {
        int umask(int mask);
    }

    /**
     * Sets this process's umask to 077, so that what Burrow and its children (git, podman, the
     * agent's FIFO) make is the user's alone: transcripts, mirrors, run dirs. The agent's own
     * files in its workspace keep the modes it gives them. Called once, as the CLI starts.
     */
    public static void ownerOnlyFromNowOn() {
        try {
            Native.load("c", LibC.class).umask(0077);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // No C library to call (not Linux): the data dir's 0700 still keeps others out.
        }
    }

    /**
     * Makes {@code dir} (and its parents) when missing, and makes it 0700: when Burrow makes it,
     * or when it already holds Burrow's database (a dir the user named that holds other things,
     * such as their home, is left as it is).
     */
    public static Path secure(Path dir) {
        try {
            boolean ours = !Files.exists(dir, LinkOption.NOFOLLOW_LINKS) || Files.exists(dir.resolve("burrow.db"), LinkOption.NOFOLLOW_LINKS);
            Files.createDirectories(dir);
            if (!ours) return dir;
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!now.equals(OWNER_ONLY)) Files.setPosixFilePermissions(dir, OWNER_ONLY);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + dir + " private (0700): " + e.getMessage(), e);
        } catch (UnsupportedOperationException e) {
            return dir; // not a POSIX file system: nothing to set
        }
    }
}
