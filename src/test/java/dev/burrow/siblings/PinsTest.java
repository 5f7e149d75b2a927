package dev.burrow.siblings;

import dev.burrow.container.ContainerEngine;
import dev.burrow.http.Refusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pins against an engine that binds as the kernel does: the source path resolved, links and all, when it is bound. */
class PinsTest {
    @TempDir
    Path tmp;

    /** What a fake engine bound where (target to the dir it resolved), and a hook run just before each bind. */
    static final class Binds {
        final Map<Path, Path> bound = new ConcurrentHashMap<>();
        final Map<Path, String> networks = new ConcurrentHashMap<>();
        Runnable beforeBind = () -> { };
    }

    /** A ContainerEngine that only pins; any other call fails the test. */
    static ContainerEngine engine(Binds binds) {
        return (ContainerEngine) Proxy.newProxyInstance(PinsTest.class.getClassLoader(), new Class<?>[]{ContainerEngine.class}, (proxy, m, args) -> {
            switch (m.getName()) {
                case "pinDirectory" -> {
                    binds.beforeBind.run();
                    Path real = ((Path) args[0]).toRealPath(); // mount(2) follows every link
                    binds.bound.put((Path) args[1], real);
                    return identityOf(real);
                }
                case "pinNetwork" -> {
                    binds.networks.put((Path) args[1], (String) args[0]);
                    return null;
                }
                case "unpin" -> {
                    binds.bound.remove((Path) args[0]);
                    binds.networks.remove((Path) args[0]);
                    return null;
                }
                default -> throw new AssertionError("not expected of the engine: " + m.getName());
            }
        });
    }

    /** The identity as `stat --format %D:%i` prints it. */
    static String identityOf(Path p) throws IOException {
        var r = new ProcessBuilder("stat", "--format", "%D:%i", "--", p.toString()).start();
        return new String(r.getInputStream().readAllBytes()).strip();
    }

    @Test
    void aWorkspaceSubdirectoryIsPinnedAndItsIdentityMatchesStat() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws/a/b"));
        ws = tmp.resolve("ws");
        Binds binds = new Binds();
        Pins pins = new Pins(engine(binds), tmp.resolve("pins"));
        Path at = pins.directory(ws, "a/b");
        assertThat(at.getParent()).isEqualTo(tmp.resolve("pins"));
        assertThat(binds.bound).containsEntry(at, ws.resolve("a/b").toRealPath());
        // The walk without links names the dir as stat does (the JDK's file key format).
        assertThat(Pins.identity(ws, List.of("a", "b"), "a/b")).isEqualTo(identityOf(ws.resolve("a/b")));
        assertThat(pins.directory(ws, "a/b")).as("the same dir again: the same pin").isEqualTo(at);
        assertThat(Files.getPosixFilePermissions(tmp.resolve("pins"))).hasToString("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE]");
        pins.close();
        assertThat(binds.bound).isEmpty();
        assertThat(tmp.resolve("pins")).doesNotExist();
    }

    @Test
    void linksAnywhereOnThePathAreRefused() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(tmp.resolve("outside/inner"));
        Files.createSymbolicLink(ws.resolve("link"), tmp.resolve("outside"));
        Files.createDirectories(ws.resolve("real"));
        Files.createSymbolicLink(ws.resolve("real/link"), tmp.resolve("outside"));
        Files.writeString(ws.resolve("file"), "x");
        // A FIFO would hold an open for a dir until someone writes: refused without opening it.
        assertThat(new ProcessBuilder("mkfifo", ws.resolve("fifo").toString()).start().waitFor()).isZero();
        Binds binds = new Binds();
        Pins pins = new Pins(engine(binds), tmp.resolve("pins"));
        assertThatThrownBy(() -> pins.directory(ws, "link")).isInstanceOf(Refusal.class).hasMessageContaining("goes through a link");
        assertThatThrownBy(() -> pins.directory(ws, "link/inner")).isInstanceOf(Refusal.class).hasMessageContaining("goes through a link");
        assertThatThrownBy(() -> pins.directory(ws, "real/link")).isInstanceOf(Refusal.class).hasMessageContaining("goes through a link");
        assertThatThrownBy(() -> pins.directory(ws, "file")).isInstanceOf(Refusal.class).hasMessageContaining("not a directory");
        assertThat(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> org.junit.jupiter.api.Assertions.assertThrows(Refusal.class, () -> pins.directory(ws, "fifo")))).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> pins.directory(ws, "missing")).isInstanceOf(Refusal.class).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> pins.directory(ws, "../outside")).isInstanceOf(Refusal.class).hasMessageContaining("not a plain path");
        assertThatThrownBy(() -> pins.directory(ws, "real//x")).isInstanceOf(Refusal.class).hasMessageContaining("not a plain path");
        assertThat(binds.bound).isEmpty();
    }

    @Test
    void aDirectorySwappedForALinkWhileItIsBoundIsUnboundAndRefused() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(ws.resolve("sub"));
        Path secrets = Files.createDirectories(tmp.resolve("home-of-the-user"));
        Binds binds = new Binds();
        // The agent's swap lands between Burrow's first look and the bind: the bind follows the link.
        binds.beforeBind = () -> swapForLink(ws, secrets);
        Pins pins = new Pins(engine(binds), tmp.resolve("pins"));
        assertThatThrownBy(() -> pins.directory(ws, "sub")).isInstanceOf(Refusal.class).hasMessageContaining("link");
        assertThat(binds.bound).as("the bind of the user's dir is undone").isEmpty();

        // Swapped back before Burrow's second look: the bound dir is still not the one there.
        Files.delete(ws.resolve("sub"));
        Files.move(ws.resolve("sub.real"), ws.resolve("sub"));
        binds.beforeBind = () -> swapForLink(ws, secrets);
        ContainerEngine swapping = engine(binds);
        ContainerEngine swapBack = (ContainerEngine) Proxy.newProxyInstance(PinsTest.class.getClassLoader(), new Class<?>[]{ContainerEngine.class}, (p, m, a) -> {
            Object r = m.invoke(swapping, a);
            if (m.getName().equals("pinDirectory")) {
                Files.delete(ws.resolve("sub"));
                Files.move(ws.resolve("sub.real"), ws.resolve("sub"), StandardCopyOption.ATOMIC_MOVE);
            }
            return r;
        });
        Pins again = new Pins(swapBack, tmp.resolve("pins2"));
        assertThatThrownBy(() -> again.directory(ws, "sub")).isInstanceOf(Refusal.class).hasMessageContaining("changed while it was being bound");
        assertThat(binds.bound).isEmpty();
    }

    /** The agent's move: the dir aside, a link to the user's files in its place. */
    private static void swapForLink(Path ws, Path secrets) {
        try {
            Files.move(ws.resolve("sub"), ws.resolve("sub.real"));
            Files.createSymbolicLink(ws.resolve("sub"), secrets);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theNetworkIsPinnedOncePerContainerAndAgainForANewOne() throws Exception {
        Binds binds = new Binds();
        Pins pins = new Pins(engine(binds), tmp.resolve("pins"));
        Path net = pins.network("c".repeat(64));
        assertThat(net).isEqualTo(tmp.resolve("pins/net")).isRegularFile();
        assertThat(pins.network("c".repeat(64))).isEqualTo(net);
        assertThat(binds.networks).containsEntry(net, "c".repeat(64));
        pins.network("d".repeat(64));
        assertThat(binds.networks).containsEntry(net, "d".repeat(64));
        assertThatThrownBy(() -> Pins.none().network("c".repeat(64))).isInstanceOf(Refusal.class);
        assertThatThrownBy(() -> Pins.none().directory(tmp, "pins")).isInstanceOf(Refusal.class).hasMessageContaining("bind /workspace itself");
    }

    @Test
    void aFifoSwappedInAfterTheLookIsOpenedForWritingByBurrowSoTheOpenEndsInsteadOfHanging() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        assertThat(new ProcessBuilder("mkfifo", ws.resolve("sub").toString()).start().waitFor()).isZero();
        try (var root = (java.nio.file.SecureDirectoryStream<Path>) Files.newDirectoryStream(ws)) {
            long t0 = System.nanoTime();
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(15),
                    () -> assertThatThrownBy(() -> Pins.open(root, Path.of("sub"), () -> { })).isInstanceOfAny(IOException.class, Refusal.class));
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isLessThan(java.time.Duration.ofSeconds(8));
        }
    }

    @Test
    void aFifoMovedAwayWhileItHoldsTheOpenIsRefusedAndTheHeldOpenKeepsItsParent() throws Exception {
        // A dir of its own, removed at the end without failing the test: once in a loaded CI run, JUnit's removal of
        // its temp dir raced the held open's last steps (the test's assertions had passed).
        Path own = Files.createTempDirectory("pins-fifo-");
        try {
            heldOpenOfAMovedFifo(Files.createDirectories(own.resolve("ws")));
        } finally {
            Thread.sleep(200);
            dev.burrow.workspace.Workspaces.deleteQuietly(own);
        }
    }

    private void heldOpenOfAMovedFifo(Path ws) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", ws.resolve("sub").toString()).start().waitFor()).isZero();
        var held = new java.util.concurrent.atomic.AtomicBoolean();
        var outcome = new java.util.concurrent.CompletableFuture<Throwable>();
        var root = (java.nio.file.SecureDirectoryStream<Path>) Files.newDirectoryStream(ws);
        Thread.ofVirtual().start(() -> {
            try {
                Pins.open(root, Path.of("sub"), () -> held.set(true));
                outcome.complete(null);
            } catch (Exception e) {
                outcome.complete(e);
            }
        });
        Thread.sleep(500);
        Files.move(ws.resolve("sub"), ws.resolve("moved")); // Burrow's write-open by name no longer reaches it
        Throwable t = outcome.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(Refusal.class).hasMessageContaining("does not open as a directory");
        assertThat(held).isTrue();
        // The agent lets it go: the held open ends, and closes what it held.
        try (var w = java.nio.channels.FileChannel.open(ws.resolve("moved"), java.nio.file.StandardOpenOption.WRITE)) {
            // a writer at last
        }
    }
}
