package dev.burrow.config;

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
