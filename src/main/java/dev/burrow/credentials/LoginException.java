package dev.burrow.credentials;

/** The Claude login cannot give a usable token; the message says what to do. */
public final class LoginException extends RuntimeException {
    public LoginException(String message) {
        super(message);
    }
}
