package dev.burrow.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The container engine as Burrow uses it. One implementation, {@link PodmanCli}, drives the
 * podman CLI; Burrow acts only on containers that carry its session label, by exact id.
 */
public interface ContainerEngine {

    /** podman's version, or an exception whose message says how to fix the setup. */
    String version();

    /** `podman info` as parsed JSON fields Burrow reports (rootless, storage driver, OCI runtime). */
    Map<String, String> info();

    boolean imageExists(String image);

    /** Builds an image, handing every output line to {@code progress}; returns podman's exit code. */
    int build(Path contextDir, String tag, Map<String, String> buildArgs, Consumer<String> progress);

    /** Starts a detached container and returns its full id. */
    String run(ContainerSpec spec);

    /** The container with exactly this id, if it exists and is Burrow's. */
    Optional<ContainerState> inspect(String id);

    /** Every container that carries Burrow's session label, running or not. */
    List<ContainerState> listOwned();

    /** Runs a command inside a running container and waits for it. */
    ExecResult exec(String id, List<String> argv);

    /** The full ids of the containers a session created through its Podman socket ({@link SiblingProxy}). */
    List<String> siblings(String sessionId);

    /** Removes one of them by exact id, only if it carries that session's sibling label. */
    void removeSibling(String id, String sessionId);

    /** Removes a Burrow container by exact id, stopping it first (a short grace period). */
    void remove(String id);
}
