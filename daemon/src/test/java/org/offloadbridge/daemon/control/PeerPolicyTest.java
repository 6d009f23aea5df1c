package org.offloadbridge.daemon.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who the control socket serves, as rules over principals; with real credentials: {@link PeerCredentialsHostTest}. */
class PeerPolicyTest {
    @TempDir
    Path dir;

    @Test
    void policyRules() {
        PeerPolicy p = new PeerPolicy("offload-bridge", "obops", Set.of("alice"));
        assertNull(p.refusal(principal("root", "root")));
        assertNull(p.refusal(principal("offload-bridge", "offload-bridge")));
        assertNull(p.refusal(principal("bob", "obops")));
        assertNull(p.refusal(principal("alice", "users")));
        assertTrue(p.refusal(principal("mallory", "users")).startsWith("permission denied: user mallory"));
    }

    @Test
    void groupFileMembers() throws IOException {
        Path f = dir.resolve("group");
        Files.writeString(f, "root:x:0:\nobops:x:998:alice, bob\nother:x:5:carol\n");
        assertEquals(Set.of("alice", "bob"), PeerPolicy.groupMembers(f, "obops"));
        assertEquals(Set.of(), PeerPolicy.groupMembers(f, "root"));
        assertEquals(Set.of(), PeerPolicy.groupMembers(dir.resolve("absent"), "obops"));
    }

    private static jdk.net.UnixDomainPrincipal principal(String user, String group) {
        return new jdk.net.UnixDomainPrincipal(() -> user, new java.nio.file.attribute.GroupPrincipal() {
            @Override
            public String getName() {
                return group;
            }
        });
    }
}
