package dev.burrow.web;

import dev.burrow.auth.Authenticator;
import io.javalin.http.Context;

/** The login cookie, written by hand so that every attribute is the one intended. */
final class LoginCookie {
    private LoginCookie() {
    }

    static void set(Context ctx, String value, boolean secure) {
        long maxAge = Authenticator.ABSOLUTE_EXPIRY.toSeconds();
        ctx.res().addHeader("Set-Cookie", Guard.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : ""));
    }

    static void clear(Context ctx, boolean secure) {
        ctx.res().addHeader("Set-Cookie", Guard.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
    }
}
