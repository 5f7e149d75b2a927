package dev.burrow.container;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The runner seam: how Burrow reaches the containers its sessions run in, wherever they run.
 * One implementation today, {@link PodmanCli}, drives the local podman CLI; Podman over SSH and
 * Kubernetes are to come behind the same interface, saying in {@link #offers()} what they can
 * do. Burrow acts only on containers that carry its session label, by exact id.
 */
public interface ContainerEngine {

    /** What this runner offers sessions. */
    RunnerOffers offers();

    /** podman's version, or an exception whose message says how to fix the setup. */
    String version();

    /** `podman info` as parsed JSON fields Burrow reports (rootless, storage driver, OCI runtime). */
    Map<String, String> info();

    boolean imageExists(String image);

    /** The full id of an image (64 hex digits), or empty when there is none of that name. */
    java.util.Optional<String> imageId(String image);

    /** Builds an image, handing every output line to {@code progress}; returns podman's exit code. */
    int build(Path contextDir, String tag, Map<String, String> buildArgs, Consumer<String> progress);

    /**
     * Builds an image of Burrow's own writing (an environment's layer) from {@code contextDir}'s
     * Containerfile with Podman's {@code options} (each one argv element); returns the exit code.
     */
    default int buildOwn(Path contextDir, String tag, List<String> options, Consumer<String> progress) {
        throw new UnsupportedOperationException("this engine builds no images of its own");
    }

    /**
     * Keeps a container's filesystem (its mounts left out) as an image named {@code tag}, with
     * {@code labels}. Returns the image's full id.
     */
    default String commit(String container, String tag, Map<String, String> labels) {
        throw new UnsupportedOperationException("this engine keeps no containers as images");
    }

    /** An image Burrow keeps of its own (an environment's): its name, full id, bytes as Podman counts them, and labels. */
    record OwnImage(String tag, String id, long size, Map<String, String> labels) {
    }

    /** Burrow's own images in the repository {@code repository} (localhost/burrow-env). */
    default List<OwnImage> ownImages(String repository) {
        return List.of();
    }

    /** Removes the name {@code tag} (an image of Burrow's own); its layers go when no other image has them. */
    default void removeImage(String tag) {
        throw new UnsupportedOperationException("this engine removes no images");
    }

    /**
     * Takes the name {@code tag} off its image, which stays while containers use it (it then has
     * no name: {@link #unnamedOwnImages} finds it again).
     */
    default void untagImage(String tag) {
        throw new UnsupportedOperationException("this engine untags no images");
    }

    /** The full ids of images without a name that carry the label {@code label} (Burrow's own, untagged while in use). */
    default List<String> unnamedOwnImages(String label) {
        return List.of();
    }

    /** The environment an image's containers start with (its ENV lines), or none when there is no such image. */
    default Map<String, String> imageEnv(String image) {
        return Map.of();
    }

    /** An image's labels, or empty when there is no such image. */
    default java.util.Optional<Map<String, String>> imageLabels(String image) {
        return java.util.Optional.empty();
    }

    /** Starts a detached container and returns its full id (create and start in one). */
    String run(ContainerSpec spec);

    /** Creates a container without starting it; returns its full id. */
    String create(ContainerSpec spec);

    /** Starts a created container. */
    void start(String id);

    /**
     * Runs a container to its end with {@code spec}'s command, its stdout streamed into
     * {@code stdout} (at most {@code maxOutputBytes}), and removes it; a throwaway container.
     */
    ExecResult runOnce(ContainerSpec spec, long maxOutputBytes, Duration timeout, OutputStream stdout);

    /** Unpacks a tar stream into {@code containerDir} of the container. */
    void copyIn(String id, String containerDir, InputStream tar);

    /** Packs {@code containerPath} of the container as a tar stream into {@code tar}, at most {@code maxBytes}. */
    void copyOut(String id, String containerPath, OutputStream tar, long maxBytes);

    /** The container with exactly this id, if it exists and is Burrow's. */
    Optional<ContainerState> inspect(String id);

    /** Every container that carries Burrow's session label, running or not. */
    List<ContainerState> listOwned();

    /**
     * The host's process of the running container with exactly this id (its first process), when
     * the engine can say: watching it costs a read of /proc, where asking the engine costs a run
     * of podman. Empty when the container is not running or the engine has no such process.
     */
    default Optional<ProcessHandle> mainProcess(String id) {
        return Optional.empty();
    }

    /**
     * The agent's streams in a session's container, readable from any byte offset; {@code runDir}
     * is the session's run dir, which the local runner shares with the container.
     */
    AgentPipe agentPipe(Path runDir);

    /** Runs a command inside a running container and waits for it. */
    ExecResult exec(String id, List<String> argv);

    /**
     * The command line of an interactive exec with a terminal (`-it`), for a PTY on this
     * machine to run: the terminal WebSocket and `./burrow attach` use it.
     */
    List<String> terminalExecArgv(String id, Map<String, String> env, String workdir, List<String> command);

    /** Runs a command inside a running container with stdin, a cap on its stdout (streamed into {@code stdout}) and a timeout. */
    ExecResult exec(String id, Exec exec, OutputStream stdout);

    /**
     * Sets nftables rules ({@code nft -f} input) in a running container's network namespace,
     * from outside it: the container needs no capability for it and gets none to undo it.
     */
    void guardEgress(String id, String nftRuleset);

    /**
     * Removes {@code dir}, one of Burrow's own, with what containers left in it as root
     * (files of the user's subordinate ids, which the user cannot remove directly): inside
     * the rootless user namespace, where those ids are the user's. Links are not followed.
     */
    void removeOwnedTree(java.nio.file.Path dir);

    /**
     * Binds {@code source}, a dir, at {@code target}, an empty dir of Burrow's, where Podman
     * makes containers (rootless: in its own mount namespace, invisible to the host), and
     * answers the identity ("dev:inode", hex:decimal) of the dir that got bound. The source
     * path is resolved when it is bound, links and all: the caller checks the identity.
     */
    default String pinDirectory(java.nio.file.Path source, java.nio.file.Path target) {
        throw new UnsupportedOperationException("pins are not supported by this engine");
    }

    /**
     * Binds the network namespace of a running container at {@code target}, an empty file of
     * Burrow's, as {@link #pinDirectory} does; the container's process is checked to be the
     * same before and after, so a reused process id cannot hand over another namespace.
     */
    default void pinNetwork(String id, java.nio.file.Path target) {
        throw new UnsupportedOperationException("pins are not supported by this engine");
    }

    /** Undoes a pin; quiet when nothing is bound at {@code target}. */
    default void unpin(java.nio.file.Path target) {
    }

    /** The label on everything a session makes through its Podman socket; its value is the session's id. */
    String SIBLING_LABEL = "burrow.sibling-of";

    /**
     * The label on the containers Burrow runs beside a session for it (its builds' network), which
     * the session's Podman socket never shows; its value is the session's id.
     */
    String HELPER_LABEL = "burrow.helper-of";

    /**
     * The name space of a session's image names ({@code localhost/burrow-s-ID/}): every name it gives
     * an image is kept there on the host, never one the user's own tools resolve.
     */
    static String imageSpace(String sessionId) {
        String id = sessionId.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (id.isEmpty()) throw new IllegalArgumentException("a session id with no letters or digits: " + sessionId);
        return IMAGE_SPACES + id + "/";
    }

    /** Where every session's image name space starts. */
    String IMAGE_SPACES = "localhost/burrow-s-";

    /** The full ids of the containers a session created through its Podman socket, and of those Burrow runs beside it. */
    List<String> siblings(String sessionId);

    /**
     * Removes the volumes, networks and images a session made through its Podman socket (each
     * by exact name or id, after checking its label) and the names in its image name space;
     * returns what could not be removed, and why.
     */
    List<String> removeSessionObjects(String sessionId);

    /** Removes one of them by exact id, only if it carries that session's sibling (or helper) label. */
    void removeSibling(String id, String sessionId);

    /** Stops a Burrow container by exact id (a short grace period), keeping it. */
    void stop(String id);

    /** Removes a Burrow container by exact id, stopping it first (a short grace period). */
    void remove(String id);
}
