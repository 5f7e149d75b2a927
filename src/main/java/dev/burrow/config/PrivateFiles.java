package dev.burrow.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets: written in one step, readable by their owner alone. */
public final class PrivateFiles {
    private PrivateFiles() {
    }

    /** Replaces {@code file} with {@code content} atomically, mode 0600 (0700 when {@code executable}). */
    public static void write(Path file, String content, boolean executable) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".burrow-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(executable ? "rwx------" : "rw-------")));
            try {
                Files.writeString(tmp, content);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static void write(Path file, String content) {
        write(file, content, false);
    }
}
