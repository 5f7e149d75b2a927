package dev.burrow.preview;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The preview tunnels of the sessions this process follows, by session id. */
public final class PreviewTunnels {
    private final Map<String, PreviewTunnel> open = new ConcurrentHashMap<>();

    /** Opens the session's tunnel on {@code listen}; closing what it returns closes the tunnel and forgets it. */
    public AutoCloseable open(String sessionId, Path listen) throws IOException {
        PreviewTunnel t = PreviewTunnel.start(sessionId, listen);
        PreviewTunnel before = open.put(sessionId, t);
        if (before != null) before.close();
        return () -> {
            open.remove(sessionId, t);
            t.close();
        };
    }

    public Optional<PreviewTunnel> of(String sessionId) {
        return Optional.ofNullable(open.get(sessionId));
    }
}
