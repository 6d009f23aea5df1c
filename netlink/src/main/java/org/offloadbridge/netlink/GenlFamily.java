package org.offloadbridge.netlink;

import java.util.Map;

/**
 * A generic netlink family as the controller (nlctrl) describes it.
 *
 * @param name            CTRL_ATTR_FAMILY_NAME
 * @param id              CTRL_ATTR_FAMILY_ID: the nlmsg_type to send the family's requests with
 * @param version         CTRL_ATTR_VERSION
 * @param headerSize      CTRL_ATTR_HDRSIZE: the family's fixed header after genlmsghdr
 * @param maxAttr         CTRL_ATTR_MAXATTR
 * @param multicastGroups CTRL_ATTR_MCAST_GROUPS: group name → group id (to join with {@link NetlinkSubscription})
 */
public record GenlFamily(String name, int id, int version, int headerSize, int maxAttr, Map<String, Integer> multicastGroups) {
    public GenlFamily {
        multicastGroups = Map.copyOf(multicastGroups);
    }

    /**
     * The id of multicast group {@code group}.
     *
     * @throws IllegalArgumentException naming the groups the family has, when it has no such group
     */
    public int multicastGroup(String group) {
        Integer id = multicastGroups.get(group);
        if (id == null) {
            throw new IllegalArgumentException("generic netlink family " + name + " has no multicast group \"" + group
                    + "\" (it has " + multicastGroups.keySet() + ")");
        }
        return id;
    }
}
