package dev.burrow.environment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerEngine.OwnImage;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SetupSnapshotsTest {
    private static final List<Environment.Step> STEPS = List.of(new Environment.Step("onCreateCommand", "", "make", null));
    private static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_000_000), ZoneOffset.UTC);

    /** An engine that knows the given images (tag to labels) and records what is removed. */
    private static ContainerEngine engine(List<OwnImage> images, List<String> removed) {
        return (ContainerEngine) Proxy.newProxyInstance(ContainerEngine.class.getClassLoader(), new Class<?>[] {ContainerEngine.class}, (p, m, a) -> switch (m.getName()) {
            case "ownImages" -> images.stream().filter(i -> !removed.contains(i.tag())).toList();
            case "removeImage" -> {
                removed.add((String) a[0]);
                yield null;
            }
            case "imageLabels" -> images.stream().filter(i -> i.tag().equals(a[0])).findFirst().map(OwnImage::labels);
            case "imageId" -> images.stream().filter(i -> i.tag().equals(a[0])).findFirst().map(OwnImage::id);
            case "unnamedOwnImages" -> List.of();
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }

    private static OwnImage image(String tag, long made, long size, String key) {
        return new OwnImage(tag, "%064x".formatted(made), size, Map.of(EnvironmentImages.MADE_LABEL, String.valueOf(made), EnvironmentImages.KEY_LABEL, key));
    }

    @Test
    void theKeyChangesWithEveryPartOfTheSetupAndOnlyThen() {
        String k = SetupSnapshots.key("img", STEPS, "s1", Map.of("package-lock.json", "l1"), "FULL", "main");
        assertThat(SetupSnapshots.key("img", STEPS, "s1", Map.of("package-lock.json", "l1"), "FULL", "main")).isEqualTo(k);
        assertThat(List.of(SetupSnapshots.key("img2", STEPS, "s1", Map.of("package-lock.json", "l1"), "FULL", "main"),
                SetupSnapshots.key("img", List.of(), "s1", Map.of("package-lock.json", "l1"), "FULL", "main"),
                SetupSnapshots.key("img", STEPS, "s2", Map.of("package-lock.json", "l1"), "FULL", "main"),
                SetupSnapshots.key("img", STEPS, "s1", Map.of("package-lock.json", "l2"), "FULL", "main"),
                SetupSnapshots.key("img", STEPS, "s1", Map.of("package-lock.json", "l1"), "NONE", "main"),
                SetupSnapshots.key("img", STEPS, "s1", Map.of("package-lock.json", "l1"), "FULL", "burrow/abc"),
                SetupSnapshots.key("img", STEPS, "s1", Map.of("package-lock.json", "l1"), "FULL", "main", "/workspace/app"))).doesNotContain(k).doesNotHaveDuplicates();
        assertThat(SetupSnapshots.key("img", STEPS, "s1", Map.of("package-lock.json", "l1"), "FULL", "main", "/workspace")).isEqualTo(k);
    }

    @Test
    void aSetUpImageServesWhileYoungerThanItsLife() {
        String key = "a".repeat(64);
        List<OwnImage> images = List.of(image(SetupSnapshots.tag(key), 1_000_000 - 3 * 3600, 1, key));
        assertThat(new SetupSnapshots(engine(images, new ArrayList<>()), Duration.ofDays(7), NOW).find(key)).get()
                .satisfies(s -> assertThat(s.age(NOW)).isEqualTo("3 h ago"));
        assertThat(new SetupSnapshots(engine(images, new ArrayList<>()), Duration.ofHours(2), NOW).find(key)).isEmpty();
        assertThat(new SetupSnapshots(engine(images, new ArrayList<>()), Duration.ofDays(7), NOW).find("b".repeat(64))).isEmpty();
    }

    @Test
    void pastTheCapTheOldestImagesGoFirstButNeverTheOneJustMade() {
        List<String> removed = new ArrayList<>();
        List<OwnImage> images = List.of(image("localhost/burrow-env:old", 1, 40, "k1"), image("localhost/burrow-env:mid", 2, 40, "k2"),
                image("localhost/burrow-env:new", 3, 40, "k3"));
        var cache = new EnvironmentCache(engine(images, removed), 50);
        assertThat(cache.trim("localhost/burrow-env:new")).containsExactly("localhost/burrow-env:old", "localhost/burrow-env:mid");
        assertThat(new EnvironmentCache(engine(images, new ArrayList<>()), 50).trim("%064x".formatted(1))).containsExactly("localhost/burrow-env:mid",
                "localhost/burrow-env:new");
        assertThat(EnvironmentCache.cap(Map.of("BURROW_ENV_CACHE_GB", "2"))).isEqualTo(2L * 1024 * 1024 * 1024);
    }
}
