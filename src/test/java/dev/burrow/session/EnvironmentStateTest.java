package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerEngine.OwnImage;
import dev.burrow.environment.AgentUser;
import dev.burrow.environment.Environment;
import dev.burrow.environment.EnvironmentImages;
import dev.burrow.environment.SetupSnapshots;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentStateTest {
    private static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_000_000), ZoneOffset.UTC);
    private static final String KEY = "c".repeat(64);
    private static final String ENV_ID = "e".repeat(64);

    @TempDir
    Path tmp;

    /** Images by tag; removing one in use fails, as Podman's rmi does, and it is then untagged. */
    private ContainerEngine engine(List<OwnImage> images, List<String> inUse, List<String> done) {
        return (ContainerEngine) Proxy.newProxyInstance(ContainerEngine.class.getClassLoader(), new Class<?>[] {ContainerEngine.class}, (p, m, a) -> switch (m.getName()) {
            case "ownImages" -> images.stream().filter(i -> done.stream().noneMatch(d -> d.endsWith(" " + i.tag()))).toList();
            case "removeImage" -> {
                if (inUse.contains(a[0])) throw new IllegalStateException("image is in use by a container");
                done.add("rmi " + a[0]);
                yield null;
            }
            case "untagImage" -> {
                done.add("untag " + a[0]);
                yield null;
            }
            case "unnamedOwnImages" -> List.of();
            case "imageLabels" -> images.stream().filter(i -> i.tag().equals(a[0]) && !done.contains("untag " + a[0]) && !done.contains("rmi " + a[0]))
                    .findFirst().map(OwnImage::labels);
            case "imageId" -> images.stream().filter(i -> i.tag().equals(a[0]) && !done.contains("untag " + a[0]) && !done.contains("rmi " + a[0]))
                    .findFirst().map(OwnImage::id);
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }

    private Session session() throws Exception {
        Session s = Session.builder("0123abcd-0000-0000-0000-000000000000", tmp.resolve("s")).repo("/r", tmp).base(null, "c").build();
        Files.createDirectories(s.dir());
        new SessionImage(ENV_ID, "b".repeat(64), new AgentUser("vscode", 1000, 1000, "/home/vscode"), Map.of(), "default", KEY, List.of(),
                Environment.RunSettings.NONE).save(s.dir());
        return s;
    }

    @Test
    void thePageSaysWhetherTheEnvironmentIsSetUpAndRebuildTakesItsImagesNamesEvenInUse() throws Exception {
        Session s = session();
        List<OwnImage> images = List.of(new OwnImage(EnvironmentImages.REPOSITORY + ":" + "e".repeat(24), ENV_ID, 1, Map.of()),
                new OwnImage(SetupSnapshots.tag(KEY), "d".repeat(64), 1, Map.of(EnvironmentImages.KEY_LABEL, KEY,
                        EnvironmentImages.MADE_LABEL, String.valueOf(1_000_000 - 2 * 3600))),
                new OwnImage(EnvironmentImages.REPOSITORY + ":other", "a".repeat(64), 1, Map.of()));
        List<String> done = new ArrayList<>();
        ContainerEngine engine = engine(images, List.of(SetupSnapshots.tag(KEY)), done);
        var state = new EnvironmentState(engine, new SetupSnapshots(engine, Duration.ofDays(7), NOW), NOW);
        assertThat(state.describe(s)).contains("environment default: ready, set up 2 h ago");
        assertThat(state.rebuild(s)).startsWith("environment default: the next session of this repository builds and sets it up anew");
        assertThat(done).containsExactlyInAnyOrder("rmi " + EnvironmentImages.REPOSITORY + ":" + "e".repeat(24), "untag " + SetupSnapshots.tag(KEY));
        assertThat(state.describe(s)).contains("environment default: built; its setup is not kept (it did not succeed, or was rebuilt)");
        Files.writeString(s.dir().resolve(ContainerStarter.SETUP_PENDING), KEY);
        Session runner = Session.builder("1123abcd-0000-0000-0000-000000000000", tmp.resolve("r")).repo("/r", tmp).base(null, "c").build();
        assertThat(state.describe(runner)).isEmpty();
    }
}
