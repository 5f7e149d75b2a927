package dev.burrow.siblings;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerException;
import dev.burrow.http.Refusal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a session's siblings get from the host by a path Burrow owns, not by a path the agent
 * can change: a workspace subdirectory for a bind mount, and the session container's network
 * namespace for a build's RUN steps. Each is bound, where Podman makes containers, at an entry
 * of a Burrow-private dir, and Podman is given that entry.
 *
 * <p>Why: the host's Podman resolves a bind source whenever it mounts or copies (at each start,
 * for {@code podman cp}), and the agent can swap a workspace subdirectory for a link to the
 * user's files at any moment. A pin is resolved once; then it is checked: the dir that got bound
 * must be the one reached from the workspace, component by component, with no link followed
 * ({@link SecureDirectoryStream}, openat with O_NOFOLLOW). A dir cannot be renamed out of the
 * workspace from the container (another mount), so what was pinned stays the workspace's.
 *
 * <p>Thread-safe: every method holds this object's lock (pins are rare and quick).
 */
public final class Pins {
    /** Bind mounts a session may hold at once; each one is a mount in Podman's namespace. */
    static final int MAX = 64;
    private static final Pattern FILE_KEY = Pattern.compile("\\(dev=([0-9a-f]+),ino=([0-9]+)\\)");

    private final ContainerEngine engine;
    private final Path dir;
    private final Map<String, Pinned> dirs = new HashMap<>();
    private String networkOf;
    private int next;
    private int pinned;

    private record Pinned(Path at, String identity) {
    }

    /** {@code dir}: the session's pins, Burrow's own, never mounted into a container; {@code engine}: null for none. */
    public Pins(ContainerEngine engine, Path dir) {
        this.engine = engine;
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** No pins: for a session whose Podman cannot make them (tests of the gate alone). */
    public static Pins none() {
        return new Pins(null, Path.of("/nonexistent"));
    }

    /**
     * The host path to give Podman for the workspace's subdirectory {@code relative} ("a/b"):
     * a pin of it, made now or before.
     */
    synchronized Path directory(Path workspace, String relative) throws Refusal {
        List<String> parts = List.of(relative.split("/"));
        for (String p : parts) {
            if (p.isEmpty() || p.equals(".") || p.equals("..")) throw Refusal.badRequest("not a plain path in the workspace: /workspace/" + relative);
        }
        Path source;
        try {
            source = workspace.resolve(String.join("/", parts));
        } catch (java.nio.file.InvalidPathException e) {
            throw Refusal.badRequest("Burrow cannot name /workspace/" + relative + " on this system (its locale has no UTF-8: run Burrow with LANG=C.UTF-8)");
        }
        String seen = walk(workspace, parts, relative);
        Pinned old = dirs.get(relative);
        if (old != null && old.identity.equals(seen)) return old.at;
        if (engine == null) throw Refusal.forbidden("bind mounts of workspace subdirectories are not available here; bind /workspace itself");
        if (pinned >= MAX) throw Refusal.forbidden("a session may bind at most " + MAX + " workspace subdirectories; bind /workspace itself");
        Path at = made().resolve("d" + (++next));
        // Entries an earlier process left may still be containers' sources: never reused.
        while (Files.exists(at, LinkOption.NOFOLLOW_LINKS)) at = dir.resolve("d" + (++next));
        try {
            Files.createDirectory(at);
        } catch (IOException e) {
            throw new Refusal(500, "could not make a pin for the session's bind mount: " + e);
        }
        boolean kept = false;
        try {
            String bound;
            try {
                bound = engine.pinDirectory(source, at);
            } catch (ContainerException | UnsupportedOperationException e) {
                throw new Refusal(500, "could not bind /workspace/" + relative + ": " + e.getMessage());
            }
            // Checked after the bind: whatever the path led to when it was bound, that dir must be the one there now, reached without links.
            if (!bound.equals(walk(workspace, parts, relative))) {
                throw Refusal.forbidden("/workspace/" + relative + " changed while it was being bound; bind mounts may not go through links");
            }
            // A pin it replaces may still be a container's source: it stays until close().
            dirs.put(relative, new Pinned(at, bound));
            pinned++;
            kept = true;
            return at;
        } finally {
            if (!kept) {
                engine.unpin(at);
                try {
                    Files.deleteIfExists(at);
                } catch (IOException ignored) {
                    // close() tries again
                }
            }
        }
    }

    /** The host path naming the network namespace of {@code container}, the session's own, running. */
    synchronized Path network(String container) throws Refusal {
        Path at = dir.resolve("net");
        if (container.equals(networkOf)) return at;
        if (engine == null) throw new Refusal(409, "builds cannot have the session's network here");
        networkOf = null;
        try {
            made();
            engine.unpin(at); // an earlier container's, or an earlier process's
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) Files.createFile(at);
            engine.pinNetwork(container, at);
        } catch (IOException | ContainerException | UnsupportedOperationException e) {
            throw new Refusal(409, "could not give the build the session's network: " + e.getMessage());
        }
        networkOf = container;
        return at;
    }

    /** Undoes every pin of the session, of this process or an earlier one, and removes the dir. */
    public synchronized void close() {
        dirs.clear();
        networkOf = null;
        pinned = 0;
        if (engine == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                engine.unpin(e);
                Files.deleteIfExists(e);
            }
            Files.deleteIfExists(dir);
        } catch (IOException | RuntimeException e) {
            // An entry still bound (another process's, busy) stays; the next close tries again.
        }
    }

    /** The pins dir, made private. */
    private Path made() throws Refusal {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            }
            return dir;
        } catch (IOException e) {
            throw new Refusal(500, "could not make a pin for the session's bind mount: " + e);
        }
    }

    /** Opens of a dir that a FIFO holds, over this session's life: past a few, subdirectory binds are refused. */
    private final java.util.concurrent.atomic.AtomicInteger stuck = new java.util.concurrent.atomic.AtomicInteger();
    static final int MAX_STUCK = 2;

    private String walk(Path workspace, List<String> parts, String shown) throws Refusal {
        if (stuck.get() >= MAX_STUCK) {
            throw Refusal.forbidden("this session's earlier binds were held up by FIFOs in the workspace; bind /workspace itself");
        }
        return identity(workspace, parts, shown, stuck);
    }

    /**
     * The identity ("dev:inode", as {@link ContainerEngine#pinDirectory} answers it) of the dir
     * reached from {@code workspace} through {@code parts}, following no link on the way: each
     * part is looked at (fstatat, no follow) and then opened relative to its parent (openat,
     * O_NOFOLLOW), and what was opened must be what was looked at. {@code stuck} counts opens
     * that a FIFO swapped in holds.
     */
    static String identity(Path workspace, List<String> parts, String shown, java.util.concurrent.atomic.AtomicInteger stuck) throws Refusal {
        // Closed at the end, except a dir whose child open is held by a FIFO: closing it would wait for that open.
        java.util.ArrayDeque<SecureDirectoryStream<Path>> toClose = new java.util.ArrayDeque<>();
        try {
            DirectoryStream<Path> root = Files.newDirectoryStream(workspace);
            if (!(root instanceof SecureDirectoryStream<Path> cur)) {
                root.close();
                throw new Refusal(500, "this system cannot open dirs safely (no openat)");
            }
            toClose.push(cur);
            for (String p : parts) {
                Path name = Path.of(p);
                BasicFileAttributes looked = cur.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
                if (looked.isSymbolicLink()) throw new java.nio.file.FileSystemException(p);
                if (!looked.isDirectory()) throw new NotDirectoryException(p);
                SecureDirectoryStream<Path> child = open(cur, name, () -> {
                    toClose.pop(); // the parent: it goes when the held open ends, if ever
                    stuck.incrementAndGet();
                });
                toClose.push(child);
                cur = child;
                if (!looked.fileKey().equals(key(cur))) {
                    throw Refusal.forbidden("/workspace/" + shown + " changed while Burrow looked at it; bind mounts may not go through links");
                }
            }
            Matcher m = FILE_KEY.matcher(String.valueOf(key(cur)));
            if (!m.matches()) throw new Refusal(500, "unexpected file key " + key(cur));
            return m.group(1) + ":" + m.group(2);
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw Refusal.badRequest("/workspace/" + shown + " is not a directory in the workspace");
        } catch (java.nio.file.FileSystemException e) {
            // ELOOP: a link where a directory was expected.
            throw Refusal.forbidden("/workspace/" + shown + " goes through a link; bind mounts come from the workspace's own directories");
        } catch (java.nio.file.InvalidPathException e) {
            throw Refusal.badRequest("Burrow cannot name /workspace/" + shown + " on this system (its locale has no UTF-8: run Burrow with LANG=C.UTF-8)");
        } catch (IOException e) {
            throw new Refusal(500, "could not read /workspace/" + shown + ": " + e.getMessage());
        } finally {
            for (SecureDirectoryStream<Path> d : toClose) closeQuietly(d);
        }
    }

    /** For tests: a walk of its own. */
    static String identity(Path workspace, List<String> parts, String shown) throws Refusal {
        return identity(workspace, parts, shown, new java.util.concurrent.atomic.AtomicInteger());
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing else holds it
        }
    }

    private static Object key(SecureDirectoryStream<Path> dir) throws IOException {
        return dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
    }

    /**
     * Opens {@code name} in {@code parent} as a dir. The agent may have swapped it for a FIFO
     * since it was looked at, and opening a FIFO waits for a writer: after a moment Burrow
     * opens it for writing itself, through the same parent and without following links, which
     * lets the open go on (and fail: a FIFO is not a dir). If the FIFO was moved away meanwhile
     * the open stays held: {@code held} is told (the parent then belongs to the held open, which
     * closes it if it ever ends) and the bind is refused.
     */
    static SecureDirectoryStream<Path> open(SecureDirectoryStream<Path> parent, Path name, Runnable held) throws IOException, Refusal {
        var opening = new java.util.concurrent.CompletableFuture<SecureDirectoryStream<Path>>();
        // A platform thread: an open held in the kernel would pin a virtual thread's carrier, and
        // two of those stop every virtual thread of a 2-core machine (sockets, proxies, the API).
        Thread.ofPlatform().daemon(true).name("pin-open").start(() -> {
            try {
                opening.complete(parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS));
            } catch (IOException | RuntimeException e) {
                opening.completeExceptionally(new java.io.UncheckedIOException(e instanceof IOException io ? io : new IOException(e)));
            }
        });
        for (int attempt = 0; ; attempt++) {
            try {
                return opening.get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (attempt >= 2) {
                    held.run();
                    opening.whenComplete((late, failed) -> {
                        if (late != null) closeQuietly(late);
                        closeQuietly(parent);
                    });
                    throw Refusal.forbidden("/workspace/" + name + " does not open as a directory (a FIFO?); bind mounts come from directories");
                }
                try (var unblock = parent.newByteChannel(name, java.util.Set.of(java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                    // opened and closed: the waiting open has had its writer
                } catch (IOException | RuntimeException ignored) {
                    // not a FIFO any more: the open ends on its own
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof java.io.UncheckedIOException u) throw u.getCause();
                throw new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Refusal(500, "interrupted");
            }
        }
    }
}
