package dev.burrow.container;

import java.util.Map;

/** What podman says about one container. */
public record ContainerState(String id, String name, String status, boolean running, int exitCode, Map<String, String> labels) {

    public String sessionLabel() {
        return labels.get(PodmanCli.SESSION_LABEL);
    }
}
