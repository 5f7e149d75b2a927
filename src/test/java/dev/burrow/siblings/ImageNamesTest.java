package dev.burrow.siblings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.http.Refusal;
import org.junit.jupiter.api.Test;

class ImageNamesTest {
    private final ImageNames names = new ImageNames("1b2c3d4e-aaaa-bbbb-cccc-1234567890ab");
    private static final String SPACE = "localhost/burrow-s-1b2c3d4eaaaabbbbcccc1234567890ab/";

    @Test
    void aNameIsKeptWholeInTheSessionsSpaceAsPodmanWouldMakeIt() throws Exception {
        assertThat(names.own("alpine:3.19")).isEqualTo(SPACE + "localhost/alpine/burrow-session:3.19");
        assertThat(names.own("docker.io/library/alpine")).isEqualTo(SPACE + "docker.io/library/alpine/burrow-session:latest");
        assertThat(names.own("Registry.Example:5000/team/app:1")).isEqualTo(SPACE + "registry.example__5000/team/app/burrow-session:1");
        assertThat(Images.isReference(names.own("localhost:5000/a/b:c"))).isTrue();
        assertThatThrownBy(() -> names.own("alpine@sha256:" + "0".repeat(64))).isInstanceOf(Refusal.class);
        assertThatThrownBy(() -> names.own("docker-archive:/home/u/x.tar")).isInstanceOf(Refusal.class);
        assertThatThrownBy(() -> names.own("a/".repeat(130) + "b")).isInstanceOf(Refusal.class).hasMessageContaining("too long");
    }

    @Test
    void readsTryTheNamesPodmanWouldAndShowTheSessionItsOwn() throws Exception {
        assertThat(names.candidates("alpine")).containsExactly(SPACE + "localhost/alpine/burrow-session:latest", SPACE + "docker.io/library/alpine/burrow-session:latest");
        assertThat(names.candidates("quay.io/org/tool:1")).containsExactly(SPACE + "quay.io/org/tool/burrow-session:1");
        assertThat(names.candidates("sha256:" + "a".repeat(64))).isEmpty();
        assertThat(names.candidates("abcdef012345")).isEmpty();
        assertThat(names.candidates(SPACE + "localhost/x:1")).isEmpty();
        assertThat(names.shown(SPACE + "registry.example__5000/team/app/burrow-session:1")).isEqualTo("registry.example:5000/team/app:1");
        assertThat(names.shown("docker.io/library/debian:bookworm")).isEqualTo("docker.io/library/debian:bookworm");
        String digest = "@sha256:" + "a".repeat(64);
        assertThat(names.shown(SPACE + "quay.io/org/tool/burrow-session" + digest)).isEqualTo("quay.io/org/tool" + digest);
        assertThat(names.shown("localhost/burrow-s-ffff/quay.io/org/tool/burrow-session" + digest)).isNull();
        String theirs = "localhost/burrow-s-ffff/docker.io/library/alpine/burrow-session:3.19";
        assertThat(names.shown(theirs)).isNull();
        assertThat(names.isForeign(theirs)).isTrue();
        assertThat(names.isForeign("LOCALHOST/BURROW-S-ffff/x:1")).isTrue();
        assertThat(names.isOwn(SPACE + "localhost/x:1")).isTrue();
        // Podman finds a short name in any name that ends with it: no own name ends with one a user runs.
        assertThat(names.own("alpine:3.19")).doesNotEndWith("/alpine:3.19");
        assertThat(names.isForeign(SPACE + "localhost/x:1")).isFalse();
    }
}
