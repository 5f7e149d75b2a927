package dev.burrow.siblings;

/** What the gate does with a request it lets through. */
sealed interface Decision {
    /**
     * Sends the request upstream at {@code target}: with {@code body} in place of the client's
     * (null: the client's, carried as it comes); {@code hijack}: the connection then carries
     * a stream both ways (attach, exec); {@code context}: a build's context, read and checked
     * before anything went upstream, sent from where Burrow holds it.
     */
    record Forward(String target, byte[] body, boolean hijack, BuildContext context) implements Decision {
        Forward(String target, byte[] body, boolean hijack) {
            this(target, body, hijack, null);
        }
    }

    /** Answers the client from here (a filtered list). */
    record Answer(int status, byte[] json) implements Decision {
    }
}
