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

    /** Burrow-private, mounted read-only at /run/burrow-secrets: the credentials, once the setup has ended. */
    public Path secretsDir() {
        return dir.resolve("secrets");
    }

    /** Burrow-private, never mounted: the credentials waiting for the setup to end. */
    Path pendingSecretsDir() {
        return dir.resolve("secrets-pending");
    }

    public Session withMode(SessionMode m) {
        return new Session(id, shortId, state, reason, m, gpu, network, repo, source, baseBranch, baseCommit, branch, dir, claudeSessionId,
                containerId, costUsd, outOffset, createdAt, Instant.now());
    }


    /** A new session's row, from what is known before its workspace exists; the rest has defaults. */
    public static Builder builder(String id, Path dir) {
        return new Builder(id, dir);
    }

    /** Builds a {@link Session} by name instead of by 19 positions. */
    public static final class Builder {
        private final String id;
        private final Path dir;
        private final String shortId;
        private SessionState state = SessionState.CREATING;
        private SessionMode mode = SessionMode.CHAT;
        private boolean gpu;
        private NetworkPolicy network = NetworkPolicy.FULL;
        private String repo = "";
        private Path source;
        private String baseBranch;
        private String baseCommit;
        private String branch;
        private String containerId;
        private String conversation;
        private final Instant now = Instant.now();

        private Builder(String id, Path dir) {
            this.id = id;
            this.dir = dir;
            this.shortId = id.length() > 8 ? id.substring(0, 8) : id;
            this.branch = "burrow/" + shortId;
            this.source = dir;
        }

        public Builder state(SessionState s) {
            this.state = s;
            return this;
        }

        public Builder mode(SessionMode m) {
            this.mode = m;
            return this;
        }

        public Builder gpu(boolean g) {
            this.gpu = g;
            return this;
        }

        public Builder network(NetworkPolicy n) {
            this.network = n;
            return this;
        }

        /** What the user named (a path or URL), and the repository the branch goes back to. */
        public Builder repo(String display, Path sourceRepo) {
            this.repo = display;
            this.source = sourceRepo;
            return this;
        }

        public Builder base(String branchName, String commit) {
            this.baseBranch = branchName;
            this.baseCommit = commit;
            return this;
        }

        public Builder container(String id) {
            this.containerId = id;
            return this;
        }

        /** Claude Code's conversation id, which Burrow chooses (--session-id) and resumes (--resume). */
        public Builder conversation(String uuid) {
            this.conversation = uuid;
            return this;
        }

        public Session build() {
            return new Session(id, shortId, state, null, mode, gpu, network, repo, source, baseBranch, baseCommit, branch, dir, conversation, containerId,
                    0, 0, now, now);
        }
    }
}
