package dev.burrow.session;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ImageBuildTest {
    @Test
    void saysTheStepAndTheTimeWhileBuildingThenNothingOrWhyItFailed() {
        AtomicLong now = new AtomicLong();
        ImageBuild b = new ImageBuild(now::get);
        assertThat(b.line()).isEmpty();
        b.begin();
        assertThat(b.line()).hasValueSatisfying(l -> assertThat(l).startsWith("building the runner image, 0 s"));
        b.step("STEP 3/12: RUN apt-get install -y git");
        now.set(65_000_000_000L);
        assertThat(b.line()).hasValueSatisfying(l -> assertThat(l).startsWith("building the runner image: step 3 of 12, 1 min 5 s"));
        b.step("Getting image source signatures");
        assertThat(b.line().orElseThrow()).contains("step 3 of 12");
        b.step("preparing the image for this user's containers (once)");
        assertThat(b.line().orElseThrow()).contains("preparing it for this user's containers");
        b.end(null);
        assertThat(b.running()).isFalse();
        assertThat(b.line()).isEmpty();
        b.begin();
        b.end("podman build failed: no space left on device");
        assertThat(b.line()).hasValue("the runner image could not be built: podman build failed: no space left on device");
    }
}
