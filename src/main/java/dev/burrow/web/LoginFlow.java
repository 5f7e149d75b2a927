package dev.burrow.web;

import dev.burrow.auth.Authenticator;
import dev.burrow.auth.LoginThrottle;
import io.javalin.http.Context;
import java.time.Duration;

/** A password login attempt, the same for the API and the login page: throttle, check, cookie. */
final class LoginFlow {
    sealed interface Outcome {
        record LoggedIn(String csrfToken) implements Outcome {
        }

        record WrongPassword() implements Outcome {
        }

        /** Too many failures from this address; {@code seconds} until the next try. */
        record Throttled(long seconds) implements Outcome {
        }
    }

    private final Authenticator auth;
    private final LoginThrottle throttle;
    private final Guard guard;

    LoginFlow(Authenticator auth, LoginThrottle throttle, Guard guard) {
        this.auth = auth;
        this.throttle = throttle;
        this.guard = guard;
    }

    /** Tries the password; on success the login cookie is set on the response. */
    Outcome attempt(Context ctx, String password) {
        if (!auth.passwordSet()) throw new ApiError(503, "no password is set; run ./burrow passwd on the server");
        if (!Guard.sameOrigin(ctx)) throw new ApiError(403, "cross-origin request refused");
        String address = guard.clientAddress(ctx);
        Duration wait = throttle.waitFor(address);
        if (!wait.isZero()) {
            long seconds = Math.max(1, wait.toSeconds() + (wait.toMillisPart() > 0 ? 1 : 0));
            ctx.header("Retry-After", String.valueOf(seconds));
            return new Outcome.Throttled(seconds);
        }
        if (!auth.checkPassword(password)) {
            throttle.failed(address);
            return new Outcome.WrongPassword();
        }
        throttle.succeeded(address);
        Authenticator.NewLogin login = auth.login(address, ctx.header("User-Agent"));
        LoginCookie.set(ctx, login.cookieValue(), guard.secureRequest(ctx));
        return new Outcome.LoggedIn(login.csrfToken());
    }

    void logout(Context ctx) {
        if (Guard.callerOf(ctx) instanceof Guard.Caller.Browser b) auth.logout(b.cookieValue());
        LoginCookie.clear(ctx, guard.secureRequest(ctx));
    }
}
