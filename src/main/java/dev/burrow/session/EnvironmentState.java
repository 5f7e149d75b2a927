package dev.burrow.session;

import dev.burrow.container.ContainerEngine;
import dev.burrow.environment.EnvironmentImages;
import dev.burrow.environment.SetupSnapshots;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a session's page says of its environment ("environment default: ready, set up 2 h
 * ago"), and its Rebuild environment action: the environment's image and its set-up image lose
 * their names, so the next session of the repository builds and sets it up anew. An image a
 * container still uses stays without a name until none does ({@code EnvironmentCache.trim}).
 */
final class EnvironmentState {
    private final ContainerEngine engine;
    private final SetupSnapshots snapshots;
    private final Clock clock;

    EnvironmentState(ContainerEngine engine, SetupSnapshots snapshots, Clock clock) {
        this.engine = Objects.requireNonNull(engine);
        this.snapshots = Objects.requireNonNull(snapshots);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Lines said within the last half minute, by session: the header is drawn at each state change, and each look asks Podman. */
    private final java.util.Map<String, Said> said = new java.util.concurrent.ConcurrentHashMap<>();

    private record Said(Optional<String> line, long at) {
    }

    /** The line, or empty for a session of Burrow's runner image. */
    Optional<String> describe(Session s) {
        long now = clock.millis();
        Said last = said.get(s.id());
        if (last != null && now - last.at() < 30_000) return last.line();
        Optional<String> line = look(s);
        said.put(s.id(), new Said(line, now));
        return line;
    }

    private Optional<String> look(Session s) {
        return SessionImage.load(s.dir()).map(i -> {
            String head = "environment " + i.name() + ": ";
            if (i.setup() == null) return head + "ready";
            var kept = snapshots.find(i.setup());
            if (kept.isPresent()) return head + "ready, set up " + kept.get().age(clock);
            if (Files.exists(s.dir().resolve(ContainerStarter.SETUP_PENDING))) return head + "setting up in this session (kept once its setup succeeds)";
            return head + "built; its setup is not kept (it did not succeed, or was rebuilt)";
        });
    }

    /** Takes the names off the session's environment images; says what it did, in one line. */
    String rebuild(Session s) {
        said.remove(s.id());
        SessionImage i = SessionImage.load(s.dir())
                .orElseThrow(() -> new SessionException(SessionException.Kind.BAD_INPUT, "this session runs Burrow's own image; there is no environment to rebuild"));
        List<String> names = new ArrayList<>();
        for (var img : engine.ownImages(EnvironmentImages.REPOSITORY)) {
            boolean setUp = i.setup() != null && img.tag().equals(SetupSnapshots.tag(i.setup()));
            if (img.id().equals(i.image()) || setUp) names.add(img.tag());
        }
        for (String tag : names) {
            try {
                engine.removeImage(tag);
            } catch (RuntimeException inUse) {
                engine.untagImage(tag);
            }
        }
        return names.isEmpty() ? "environment " + i.name() + ": nothing kept to rebuild; the next session builds it anew"
                : "environment " + i.name() + ": the next session of this repository builds and sets it up anew (" + String.join(", ", names) + " removed)";
    }
}
