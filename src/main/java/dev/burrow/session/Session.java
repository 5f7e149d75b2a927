package dev.burrow.session;

import dev.burrow.container.NetworkPolicy;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One session as stored: what it was made from, where its work lives, and where it is now.
 *
 * @param gpu          the container gets the host's GPU
 * @param network      what the container may reach
 * @param mode         chat (headless, a transcript) or terminal (interactive, in tmux)
 * @param source       the repository the branch goes back to (the user's own, or Burrow's mirror of a URL)
 * @param outOffset    how far Burrow has read the agent's output file, in bytes
 */
public record Session(
        String id,
        String shortId,
        SessionState state,
        String reason,
        SessionMode mode,
        boolean gpu,
        NetworkPolicy network,
        String repo,
        Path source,
        String baseBranch,
        String baseCommit,
        String branch,
        Path dir,
        String claudeSessionId,
        String containerId,
        double costUsd,
        long outOffset,
        Instant createdAt,
        Instant updatedAt) {

    public Path workspace() {
        return dir.resolve("workspace");
    }

    public Path claudeConfig() {
        return dir.resolve("claude");
    }

    /** Shared with the container at /run/burrow: the agent's input FIFO, output file and exit file. */
    public Path runDir() {
        return dir.resolve("run");
    }

    public Session withState(SessionState s, String why) {
        return new Session(id, shortId, s, why, mode, gpu, network, repo, source, baseBranch, baseCommit, branch, dir, claudeSessionId,
                containerId, costUsd, outOffset, createdAt, Instant.now());
    }

    public Session withMode(SessionMode m) {
        return new Session(id, shortId, state, reason, m, gpu, network, repo, source, baseBranch, baseCommit, branch, dir, claudeSessionId,
                containerId, costUsd, outOffset, createdAt, Instant.now());
    }

    public Session withContainer(String container) {
        return new Session(id, shortId, state, reason, mode, gpu, network, repo, source, baseBranch, baseCommit, branch, dir, claudeSessionId,
                container, costUsd, outOffset, createdAt, Instant.now());
    }
}
