package org.offloadbridge.daemon.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may use the control socket: root, the daemon's own user, and members of the control
 * group (primary group, or listed as a member in the group database). The socket file's mode
 * (0660, owned by that group) already keeps others out at connect(); this check is the second
 * wall, on the peer's kernel-reported credentials (SO_PEERCRED), for when the file's mode or
 * ownership has been loosened or the directory is shared into another namespace.
 *
 * @param daemonUser the user the daemon runs as
 * @param group      the control group
 * @param members    users listed as members of the group (supplementary membership)
 */
public record PeerPolicy(String daemonUser, String group, Set<String> members) {
    public PeerPolicy {
        members = Set.copyOf(members);
    }

    /** The policy for this process's user and {@code group}, members read from {@code /etc/group}. */
    public static PeerPolicy forGroup(String group) {
        return new PeerPolicy(System.getProperty("user.name"), group, groupMembers(Path.of("/etc/group"), group));
    }

    /** Null when {@code peer} may use the socket, else why not (for the refusal and the log). */
    public String refusal(UnixDomainPrincipal peer) {
        String user = peer.user().getName();
        String primary = peer.group().getName();
        if (user.equals("root") || user.equals("0") || user.equals(daemonUser) || primary.equals(group) || members.contains(user)) {
            return null;
        }
        return "permission denied: user " + user + " is not root, not " + daemonUser + " and not in group " + group
                + " (add it with: usermod -aG " + group + " " + user + ")";
    }

    /** The member list of {@code group} in a group(5) file; empty when absent or unreadable. */
    static Set<String> groupMembers(Path groupFile, String group) {
        Set<String> out = new HashSet<>();
        try {
            for (String line : Files.readAllLines(groupFile)) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && f[0].equals(group) && !f[3].isBlank()) {
                    for (String m : f[3].split(",")) {
                        out.add(m.strip());
                    }
                }
            }
        } catch (IOException e) {
            return Set.of();
        }
        return out;
    }
}
