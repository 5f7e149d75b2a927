package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ExecResult;
import dev.burrow.container.RunDir;
import dev.burrow.terminal.Terminals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Typing into a terminal-mode session's Claude Code from outside its screen: a message sent
 * through the API or the chat box, or an interrupt. The message goes through a file in the run
 * dir and tmux's paste buffer (a bracketed paste, so new lines stay in the prompt), so no
 * user text is ever a command-line argument; every argument below is a constant.
 */
final class TuiInput {
    // The tmux session the container's main process starts Claude Code in (runner/burrow-agent-run).
    private static final String WINDOW = Terminals.CLAUDE;

    private TuiInput() {
    }

    static void type(ContainerEngine engine, Session s, String text) {
        Path paste = s.runDir().resolve(RunDir.PASTE);
        try {
            Files.deleteIfExists(paste);
            // Written through the channel that made it (O_EXCL, no link followed): never by its name, which the container could swap.
            try (FileChannel ch = FileChannel.open(paste, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
            }
            tmux(engine, s, "load-buffer", "-b", "burrow", RunDir.MOUNT + "/" + RunDir.PASTE, ";",
                    "paste-buffer", "-p", "-d", "-b", "burrow", "-t", WINDOW, ";",
                    "send-keys", "-t", WINDOW, "Enter");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(paste);
            } catch (IOException ignored) {
                // the next message replaces it
            }
        }
    }

    /** Esc: what interrupts Claude Code's turn on its own screen. */
    static void interrupt(ContainerEngine engine, Session s) {
        tmux(engine, s, "send-keys", "-t", WINDOW, "Escape");
    }

    private static void tmux(ContainerEngine engine, Session s, String... args) {
        List<String> argv = new ArrayList<>(List.of("tmux"));
        argv.addAll(List.of(args));
        ExecResult r = engine.exec(s.containerId(), argv);
        if (!r.ok()) {
            throw new SessionException(SessionException.Kind.UNAVAILABLE,
                    "could not reach Claude Code's terminal in session " + s.shortId() + ": " + r.firstErrorLine());
        }
    }
}
