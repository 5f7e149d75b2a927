package dev.burrow.siblings;

/**
 * A request the session's Podman socket does not pass on, with the status and the one line
 * the client prints. Podman's and Docker's clients both read {@code message} from the error body.
 */
final class Refusal extends Exception {
    final int status;

    Refusal(int status, String message) {
        super(message.startsWith("burrow: ") ? message : "burrow: " + message, null, false, false);
        this.status = status;
    }

    static Refusal forbidden(String message) {
        return new Refusal(403, message);
    }

    static Refusal notFound(String message) {
        return new Refusal(404, message);
    }

    static Refusal badRequest(String message) {
        return new Refusal(400, message);
    }
}
