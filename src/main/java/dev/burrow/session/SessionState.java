package dev.burrow.session;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Where a session is in its life. The allowed moves are written down here and nowhere else. */
public enum SessionState {
    /** Workspace and container are being made, or a stopped session is being resumed. */
    CREATING,
    /** A turn is in progress. */
    RUNNING,
    /** Waiting for the user; the container is up. */
    IDLE,
    /** No container; workspace and conversation kept, resumable. */
    STOPPED,
    /** Something broke; the reason is recorded. Resumable when the conversation exists. */
    FAILED,
    /** Removed by the user. */
    DELETED;

    public Set<SessionState> next() {
        return switch (this) {
            case CREATING -> EnumSet.of(RUNNING, IDLE, STOPPED, FAILED, DELETED);
            case RUNNING -> EnumSet.of(RUNNING, IDLE, STOPPED, FAILED, DELETED);
            case IDLE -> EnumSet.of(RUNNING, IDLE, STOPPED, FAILED, DELETED);
            case STOPPED, FAILED -> EnumSet.of(CREATING, STOPPED, FAILED, DELETED);
            case DELETED -> EnumSet.noneOf(SessionState.class);
        };
    }

    public boolean canMoveTo(SessionState target) {
        return next().contains(target);
    }

    /** A container is (or should be) up for this session. */
    public boolean live() {
        return this == CREATING || this == RUNNING || this == IDLE;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
