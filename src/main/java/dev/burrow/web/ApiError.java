package dev.burrow.web;

/** An HTTP error with its status and one line for the user. */
final class ApiError extends RuntimeException {
    final int status;

    ApiError(int status, String message) {
        super(message);
        this.status = status;
    }
}
