package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionStateTest {

    @Test
    void aTurnMovesBetweenRunningAndIdle() {
        assertThat(SessionState.IDLE.canMoveTo(SessionState.RUNNING)).isTrue();
        assertThat(SessionState.RUNNING.canMoveTo(SessionState.IDLE)).isTrue();
        assertThat(SessionState.CREATING.canMoveTo(SessionState.RUNNING)).isTrue();
    }

    @Test
    void stoppedAndFailedSessionsResumeThroughCreating() {
        assertThat(SessionState.STOPPED.canMoveTo(SessionState.CREATING)).isTrue();
        assertThat(SessionState.FAILED.canMoveTo(SessionState.CREATING)).isTrue();
        assertThat(SessionState.STOPPED.canMoveTo(SessionState.RUNNING)).isFalse();
        assertThat(SessionState.FAILED.canMoveTo(SessionState.IDLE)).isFalse();
    }

    @Test
    void deletedIsFinal() {
        for (SessionState s : SessionState.values()) {
            assertThat(SessionState.DELETED.canMoveTo(s)).isFalse();
            if (s != SessionState.DELETED) assertThat(s.canMoveTo(SessionState.DELETED)).isTrue();
        }
    }

    @Test
    void onlyCreatingRunningAndIdleHaveAContainer() {
        assertThat(SessionState.values()).filteredOn(SessionState::live)
                .containsExactly(SessionState.CREATING, SessionState.RUNNING, SessionState.IDLE);
    }
}
