package dev.burrow.environment;

import java.util.Map;

/**
 * The user a session's agent runs as: in Burrow's runner image "agent" (uid 1000), in an
 * environment the one its layer chose (runner/burrow-env-layer). The host user becomes it
 * (keep-id), so the files it writes in the workspace stay the host user's.
 */
public record AgentUser(String name, int uid, int gid, String home) {
    public static final AgentUser RUNNER = new AgentUser("agent", 1000, 1000, "/home/agent");

    public AgentUser {
        if (!name.matches("[a-z_][a-z0-9_.-]{0,31}")) throw new EnvironmentException("the environment's user " + name + " is not a user name Burrow accepts");
        if (uid < 1 || uid > 65533 || gid < 1 || gid > 65533) throw new EnvironmentException("the environment's user " + name + " must have a uid and gid between 1 and 65533 (root is not the agent's user)");
        if (!home.matches("/[A-Za-z0-9._/-]{0,200}") || home.contains("/../") || home.endsWith("/..") || home.equals("/")) {
            throw new EnvironmentException("the environment's user " + name + " has a home directory Burrow does not accept: " + home);
        }
    }

    /** Podman's user namespace for it: the host user becomes this uid and gid. */
    public String keepId() {
        return "keep-id:uid=" + uid + ",gid=" + gid;
    }

    /** The value of the environment image's label, and back. */
    public String label() {
        return name + ":" + uid + ":" + gid + ":" + home;
    }

    public static AgentUser fromLabel(String label) {
        String[] p = label == null ? new String[0] : label.split(":", 4);
        if (p.length != 4 || !p[1].matches("\\d{1,5}") || !p[2].matches("\\d{1,5}")) throw new EnvironmentException("the environment image has no agent user of Burrow's; rebuild it");
        return new AgentUser(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), p[3]);
    }

    /** From the layer's "burrow-env name=... uid=... gid=... home=..." line. */
    static AgentUser fromLine(Map<String, String> fields) {
        try {
            return new AgentUser(fields.getOrDefault("name", ""), Integer.parseInt(fields.getOrDefault("uid", "x")),
                    Integer.parseInt(fields.getOrDefault("gid", "x")), fields.getOrDefault("home", ""));
        } catch (NumberFormatException e) {
            throw new EnvironmentException("the environment's layer reported no agent user");
        }
    }
}
