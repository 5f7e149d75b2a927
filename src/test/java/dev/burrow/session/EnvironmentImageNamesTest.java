package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.environment.EnvironmentException;
import dev.burrow.environment.EnvironmentFinder;
import dev.burrow.environment.EnvironmentImages;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** devcontainer.json's "image" names an image of the user's, never one by id nor one of Burrow's (another session's build). */
class EnvironmentImageNamesTest {
    static EnvironmentImages.Ready ensure(String image, boolean mayBuild) {
        var repo = new WorkdirLinkTest.Repo(Map.of(".devcontainer.json", "{\"image\": \"" + image + "\"}"), Set.of());
        var env = EnvironmentFinder.find(repo, null).environment();
        return new EnvironmentImages(new FakeEngine()).ensure(env, repo, "r".repeat(64), null, line -> { }, mayBuild);
    }

    @Test
    void idsAndBurrowsOwnImagesAreRefusedWithTheFix() {
        for (String id : new String[] {"1cc6", "1cc60e945677", "sha256:" + "a".repeat(64)}) {
            assertThatThrownBy(() -> ensure(id, true)).isInstanceOf(EnvironmentException.class).hasMessageContaining("is an image id; name the image");
        }
        for (String own : new String[] {"localhost/burrow-s-62f6119b/localhost/leak/burrow-session:latest", "burrow-s-62f6119b/x:1",
                "localhost/burrow-env:0123-setup", "burrow-env:abc"}) {
            assertThatThrownBy(() -> ensure(own, true)).isInstanceOf(EnvironmentException.class).hasMessageContaining("is one of Burrow's own");
        }
    }

    @Test
    void aWarmContainerNeverBuildsAnEnvironment() {
        assertThatThrownBy(() -> ensure("localhost/burrow-base:bookworm", false)).isInstanceOf(EnvironmentException.class)
                .hasMessageContaining("is not built yet");
    }
}
