package dev.burrow.container;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A mount into a container: a host path (a bind mount), or a named Podman volume that
 * outlives the container (the shared dependency caches).
 *
 * @param host   the host path, or null for a named volume
 * @param volume the volume's name, or null for a bind mount
 */
public record Mount(Path host, String volume, String container, boolean readOnly) {
    public Mount {
        Objects.requireNonNull(container);
        if ((host == null) == (volume == null)) throw new IllegalArgumentException("a mount is a host path or a volume, not both");
        if (volume != null && !volume.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) throw new IllegalArgumentException("bad volume name: " + volume);
        if (!container.startsWith("/")) throw new IllegalArgumentException("container path must be absolute: " + container);
    }

    public Mount(Path host, String container, boolean readOnly) {
        this(Objects.requireNonNull(host), null, container, readOnly);
    }

    public static Mount volume(String name, String container) {
        return new Mount(null, name, container, false);
    }

    /** The value of podman's -v: source:container[:ro]. Host paths with ':' or ',' cannot be expressed. */
    String volumeArg() {
        String source = volume;
        if (host != null) {
            source = host.toAbsolutePath().toString();
            if (source.contains(":") || source.contains(",")) {
                throw new ContainerException("cannot mount a path containing ':' or ',': " + source + "; move the data dir elsewhere");
            }
        }
        return source + ":" + container + (readOnly ? ":ro" : "");
    }
}
