package dev.burrow.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodmanServiceTest {
    @Test
    void thePodmanServiceBurrowStartsGetsNoneOfItsSecrets() {
        // Podman fills a container's bare environment names from the service's own environment.
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin", "HOME", "/home/u", "XDG_RUNTIME_DIR", "/run/user/1000", "LC_ALL", "C.UTF-8",
                "CONTAINERS_CONF", "/etc/x", "ANTHROPIC_API_KEY", "sk-secret", "BURROW_GITHUB_TOKEN", "ghp_secret", "BURROW_PASSWORD", "pw",
                "CLAUDE_CODE_OAUTH_TOKEN", "oauth", "GH_TOKEN", "gh"));
        PodmanService.serviceEnvironment(env);
        assertThat(env).containsOnlyKeys("PATH", "HOME", "XDG_RUNTIME_DIR", "LC_ALL", "CONTAINERS_CONF");
    }
}
