package dev.burrow.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Watches the free space of the filesystem that holds Burrow's data dir (its database, the
 * sessions' workspaces and transcripts). Below the floor, live sessions are stopped with a
 * clear reason and new ones refused, before the disk fills: a full disk would fail writes of
 * events and saves half-way. The floor leaves room for the saves that stopping makes.
 */
record DiskWatch(LongSupplier freeBytes, long floor) {

    /** The free space of {@code dir}'s filesystem, as an unprivileged user may use it. */
    static DiskWatch of(Path dir, long floor) {
        return new DiskWatch(() -> {
            try {
                return Files.getFileStore(Files.isDirectory(dir) ? dir : dir.getParent()).getUsableSpace();
            } catch (IOException | RuntimeException e) {
                return Long.MAX_VALUE; // cannot tell: never stop sessions on a guess
            }
        }, floor);
    }

    /** Why sessions cannot run now, when the disk is nearly full. */
    Optional<String> shortage() {
        long free = freeBytes.getAsLong();
        if (free >= floor) return Optional.empty();
        return Optional.of("the disk that holds Burrow's data has " + free / (1 << 20) + " MB free (below " + floor / (1 << 20)
                + " MB): sessions were stopped before it fills; free some space, then resume");
    }
}
