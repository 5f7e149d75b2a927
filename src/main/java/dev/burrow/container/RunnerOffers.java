package dev.burrow.container;

/**
 * What a runner can give sessions, so that Burrow decides by asking rather than by knowing
 * which runner it has.
 *
 * @param sharedFilesystem  the session's dirs on Burrow's host are the container's (bind mounts); else files travel by copy
 * @param gpu               the host's GPU can be passed to a session
 * @param nestedContainers  sessions can run containers of their own (a Podman socket)
 * @param egressEnforcement a session can be given no network but Burrow's egress proxy
 */
public record RunnerOffers(boolean sharedFilesystem, boolean gpu, boolean nestedContainers, boolean egressEnforcement) {
}
