package dev.burrow.container;

import java.nio.file.Path;
import java.util.Objects;

/** A bind mount of a host path into a container. */
public record Mount(Path host, String container, boolean readOnly) {
    public Mount {
        Objects.requireNonNull(host);
        Objects.requireNonNull(container);
        if (!container.startsWith("/")) throw new IllegalArgumentException("container path must be absolute: " + container);
    }

    /** The value of podman's -v: host:container[:ro]. Paths with ':' or ',' cannot be expressed. */
    String volumeArg() {
        String h = host.toAbsolutePath().toString();
        if (h.contains(":") || h.contains(",")) {
            throw new ContainerException("cannot mount a path containing ':' or ',': " + h + "; move the data dir elsewhere");
        }
        return h + ":" + container + (readOnly ? ":ro" : "");
    }
}
