package dev.burrow.web;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** One collapsible card per tool call, shaped by the tool: a command, a diff, a checklist, a line. */
final class ToolCards {
    private ToolCards() {
    }

    static String card(JsonNode block) {
        String name = block.path("name").asString("tool");
        JsonNode in = block.path("input");
        String id = Html.esc(block.path("id").asString(""));
        String summary;
        String body;
        switch (name) {
            case "Bash" -> {
                summary = in.path("description").asString(in.path("command").asString(""));
                body = "<pre class=\"command\">$ " + Html.esc(in.path("command").asString("")) + "</pre>";
            }
            case "Edit", "MultiEdit" -> {
                summary = in.path("file_path").asString("");
                StringBuilder d = new StringBuilder();
                if (in.has("edits")) {
                    for (JsonNode e : in.path("edits")) d.append(diff(e.path("old_string").asString(""), e.path("new_string").asString("")));
                } else {
                    d.append(diff(in.path("old_string").asString(""), in.path("new_string").asString("")));
                }
                body = "<pre class=\"diff\">" + d + "</pre>";
            }
            case "Write" -> {
                summary = in.path("file_path").asString("");
                body = "<pre class=\"diff\">" + diff("", in.path("content").asString("")) + "</pre>";
            }
            case "Read", "Grep", "Glob", "LS" -> {
                summary = firstOf(in, "file_path", "pattern", "path");
                return "<details class=\"tool compact\" data-tool-id=\"" + id + "\"><summary><b>" + Html.esc(name) + "</b> "
                        + Html.esc(summary) + "</summary><div class=\"slot\"></div></details>";
            }
            case "TodoWrite" -> {
                summary = "Plan";
                StringBuilder l = new StringBuilder("<ul class=\"todos\">");
                for (JsonNode t : in.path("todos")) {
                    String status = t.path("status").asString("pending");
                    l.append("<li class=\"").append(Html.esc(status)).append("\">").append("completed".equals(status) ? "☑ " : "☐ ")
                            .append(Html.esc(t.path("content").asString(""))).append("</li>");
                }
                body = l.append("</ul>").toString();
            }
            default -> {
                summary = firstOf(in, "description", "url", "query", "prompt");
                body = "<pre>" + Html.esc(in.toPrettyString()) + "</pre>";
            }
        }
        return "<details class=\"tool\" data-tool-id=\"" + id + "\" open><summary><b>" + Html.esc(name) + "</b> " + Html.esc(summary)
                + "</summary>" + body + "<div class=\"slot\"></div></details>";
    }

    private static String firstOf(JsonNode in, String... keys) {
        for (String k : keys) if (in.hasNonNull(k)) return in.path(k).asString("");
        return "";
    }

    /** A plain line diff: removed lines, then added lines (what an edit replaces with what). */
    static String diff(String before, String after) {
        List<String> out = new ArrayList<>();
        if (!before.isEmpty()) for (String l : before.split("\n", -1)) out.add("<span class=\"del\">-" + Html.esc(l) + "</span>");
        if (!after.isEmpty()) for (String l : after.split("\n", -1)) out.add("<span class=\"add\">+" + Html.esc(l) + "</span>");
        return String.join("\n", out);
    }
}
