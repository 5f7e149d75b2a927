package dev.burrow.web;

/** Escaping and the page frame. Every value that reaches HTML goes through {@link #esc}. */
final class Html {
    private Html() {
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A whole page. {@code csrf} is null on pages shown before login. */
    static String page(String title, String csrf, String body) {
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
                <meta name="color-scheme" content="light dark">
                <meta name="theme-color" content="#3b2f2a">
                %s
                <title>%s · Burrow</title>
                <link rel="manifest" href="/manifest.webmanifest">
                <link rel="icon" href="/static/icon.svg" type="image/svg+xml">
                <link rel="stylesheet" href="/static/app.css">
                <script src="/static/app.js" defer></script>
                </head>
                <body>
                <header class="top"><a class="brand" href="/">Burrow</a>%s</header>
                <main>
                %s
                </main>
                </body>
                </html>
                """.formatted(csrf == null ? "" : "<meta name=\"csrf-token\" content=\"" + esc(csrf) + "\">", esc(title),
                csrf == null ? "" : "<nav><a href=\"/new\">New session</a><a href=\"/settings\">Settings</a>" + form("/logout", csrf, "Log out", "link") + "</nav>",
                body);
    }

    /** A one-button POST form carrying the CSRF token. */
    static String form(String action, String csrf, String label, String cssClass) {
        return "<form method=\"post\" action=\"" + esc(action) + "\" class=\"inline\"><input type=\"hidden\" name=\"_csrf\" value=\""
                + esc(csrf) + "\"><button type=\"submit\" class=\"" + esc(cssClass) + "\">" + esc(label) + "</button></form>";
    }

    static String errorPage(int status, String message) {
        return page("Error " + status, null, "<section class=\"card\"><h1>Error " + status + "</h1><p>" + esc(message)
                + "</p><p><a href=\"/\">Back to the sessions</a></p></section>");
    }
}
