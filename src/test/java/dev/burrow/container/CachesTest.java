package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    @Test
    void byDefaultEachRepositoryHasCachesOfItsOwn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        assertThat(Caches.Scope.parse(null)).isEqualTo(Caches.Scope.REPOSITORY);
        assertThat(Caches.Scope.parse(" Global ")).isEqualTo(Caches.Scope.GLOBAL);
        assertThatThrownBy(() -> Caches.Scope.parse("session")).hasMessageContaining("repository or global");

        String a = Caches.repositoryKey("https://user:secret@github.com/o/r.git", null);
        assertThat(a).isEqualTo("https://github.com/o/r").isEqualTo(Caches.repositoryKey("https://github.com/o/r/", null));
        java.nio.file.Path repo = java.nio.file.Files.createDirectories(tmp.resolve("repo"));
        java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("link"), repo);
        assertThat(Caches.repositoryKey(null, link)).isEqualTo(Caches.repositoryKey(null, repo)); // one repository, two names

        List<Mount> mine = Caches.mounts(Set.of("npm"), Caches.Scope.REPOSITORY, a);
        List<Mount> theirs = Caches.mounts(Set.of("npm"), Caches.Scope.REPOSITORY, "https://github.com/o/other");
        assertThat(mine.getFirst().volumeArg()).matches("burrow-cache-npm-[0-9a-f]{12}:/home/agent/.npm");
        assertThat(mine.getFirst().volumeArg()).isNotEqualTo(theirs.getFirst().volumeArg());
        assertThat(Caches.mounts(Set.of("npm"), Caches.Scope.GLOBAL, a).getFirst().volumeArg()).isEqualTo("burrow-cache-npm:/home/agent/.npm");
    }
}
