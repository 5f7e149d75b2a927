package dev.burrow.session;

import java.util.Locale;

/** How the user talks to a session's Claude Code. A session can switch between them; the conversation stays. */
public enum SessionMode {
    /** Claude Code runs headless; Burrow shows its events as a transcript and sends the user's messages. */
    CHAT,
    /** Claude Code runs interactively in tmux; the user types into its own screen in a terminal. */
    TERMINAL;

    /** Where the conversation goes on, in words: "chat", "the terminal". */
    public String place() {
        return this == CHAT ? "chat" : "the terminal";
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads "chat" or "terminal"; null or blank means chat. */
    public static SessionMode parse(String value) {
        if (value == null || value.isBlank()) return CHAT;
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "chat" -> CHAT;
            case "terminal" -> TERMINAL;
            default -> throw new SessionException(SessionException.Kind.BAD_INPUT, "unknown mode \"" + value + "\"; use chat or terminal");
        };
    }
}
