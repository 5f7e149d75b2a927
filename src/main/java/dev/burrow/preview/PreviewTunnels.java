package dev.burrow.preview;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The preview tunnels of the sessions this process follows, by session id. */
public final class PreviewTunnels {
    private final Map<String, PreviewTunnel> open = new ConcurrentHashMap<>();
    private final List<Consumer<String>> closed = new CopyOnWriteArrayList<>();

    /** Tells {@code l} the id of each session whose tunnel closes (it stopped, or is no longer followed here); the Runnable stops telling. */
    public Runnable onClose(Consumer<String> l) {
        closed.add(l);
        return () -> closed.remove(l);
    }

    /** Opens the session's tunnel on {@code listen}; closing what it returns closes the tunnel and forgets it. */
    public AutoCloseable open(String sessionId, Path listen) throws IOException {
        PreviewTunnel t = PreviewTunnel.start(sessionId, listen);
        PreviewTunnel before = open.put(sessionId, t);
        if (before != null) before.close();
        return () -> {
            t.close();
            if (open.remove(sessionId, t)) closed.forEach(l -> l.accept(sessionId));
        };
    }

    public Optional<PreviewTunnel> of(String sessionId) {
        return Optional.ofNullable(open.get(sessionId));
    }
}
