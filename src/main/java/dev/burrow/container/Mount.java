package dev.burrow.container;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A mount into a container: a host path (a bind mount), a named Podman volume that
 * outlives the container (the shared dependency caches), or an image, read-only (the runner
 * image's tools in a session of the user's own image).
 *
 * @param host   the host path, or null
 * @param volume the volume's name, or null
 * @param image  the image's full id, or null
 */
public record Mount(Path host, String volume, String container, boolean readOnly, String image) {
    public Mount {
        Objects.requireNonNull(container);
        int kinds = (host == null ? 0 : 1) + (volume == null ? 0 : 1) + (image == null ? 0 : 1);
        if (kinds != 1) throw new IllegalArgumentException("a mount is one of a host path, a volume or an image");
        if (image != null && (!image.matches("[0-9a-f]{64}") || !readOnly)) throw new IllegalArgumentException("an image is mounted read-only, by its full id");
        if (volume != null && !volume.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) throw new IllegalArgumentException("bad volume name: " + volume);
        if (!container.startsWith("/")) throw new IllegalArgumentException("container path must be absolute: " + container);
    }

    public Mount(Path host, String volume, String container, boolean readOnly) {
        this(host, volume, container, readOnly, null);
    }

    public Mount(Path host, String container, boolean readOnly) {
        this(Objects.requireNonNull(host), null, container, readOnly);
    }

    public static Mount image(String id, String container) {
        return new Mount(null, null, container, true, id);
    }

    /** Podman's arguments for it. */
    java.util.List<String> args() {
        if (image != null) return java.util.List.of("--mount", "type=image,source=" + image + ",destination=" + container + ",rw=false");
        return java.util.List.of("--volume", volumeArg());
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
