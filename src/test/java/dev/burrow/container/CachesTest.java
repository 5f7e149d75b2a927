package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CachesTest {
    @Test
    void allNoneOrAListAndAnUnknownNameSaysWhichAreKnown() {
        assertThat(Caches.parse(null)).isEqualTo(Caches.NAMES);
        assertThat(Caches.parse("all")).containsExactly("maven", "gradle", "npm", "pip", "uv", "cargo", "go", "apt");
        assertThat(Caches.parse("none")).isEmpty();
        assertThat(Caches.parse(" npm, gradle ")).containsExactly("npm", "gradle");
        assertThatThrownBy(() -> Caches.parse("npm,nuget")).hasMessageContaining("unknown cache \"nuget\"").hasMessageContaining("maven, gradle");
    }

    @Test
    void gradleSharesItsCachesAndWrapperButNeverItsDaemons() {
        assertThat(Caches.mounts(Set.of("gradle"))).extracting(Mount::container)
                .containsExactly("/home/agent/.gradle/caches", "/home/agent/.gradle/wrapper");
        assertThat(Caches.mounts(Set.of("gradle")).getFirst().volumeArg()).isEqualTo("burrow-cache-gradle-caches:/home/agent/.gradle/caches");
        assertThat(Caches.mounts(Set.of())).isEmpty();
    }
}
