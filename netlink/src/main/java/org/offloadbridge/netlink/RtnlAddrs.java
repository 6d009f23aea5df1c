package org.offloadbridge.netlink;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.netlink.uapi.IfAddr;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * The namespace's IP addresses ({@code ip addr}): RTM_GETADDR dumps. Used to check that an
 * address the config wants to send from (a tunnel's local IP) is one of this host's.
 */
public final class RtnlAddrs {
    /** {@code struct ifaddrmsg}: family, prefixlen, flags, scope (u8 each), index (u32). */
    static final int IFADDRMSG_LEN = 8;
    private final NetlinkConnection route;

    /**
     * One address.
     *
     * @param ifindex   the device it is on
     * @param address   the address (IFA_LOCAL, else IFA_ADDRESS)
     * @param prefixLen its prefix length
     */
    public record Addr(int ifindex, InetAddress address, int prefixLen) {}

    public RtnlAddrs(NetlinkConnection route) {
        this.route = route;
    }

    /** {@code ip addr show}: every address of every family. */
    public static void encodeDump(NetlinkMessageWriter w) {
        w.beginMessage(Rtnetlink.RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
        w.reserve(IFADDRMSG_LEN); // family AF_UNSPEC: all of them
        w.finish(0);
    }

    /** Every address in the namespace (a consistent dump: restarted if the kernel flags it interrupted). */
    public List<Addr> dump() {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        encodeDump(w);
        List<Addr> out = new ArrayList<>();
        AttributeTable t = new AttributeTable(IfAddr.IFA_MAX);
        route.dump("dump addresses", w, new ReplyHandler() {
            @Override
            public void onReply(int requestIndex, NetlinkMessage m) {
                if (m.type() != Rtnetlink.RTM_NEWADDR) {
                    return;
                }
                int off = m.fixedHeader(IFADDRMSG_LEN);
                int prefix = m.buffer().get(off + 1) & 0xff;
                int index = m.buffer().getInt(off + 4);
                m.attributes(IFADDRMSG_LEN, t);
                byte[] a = t.has(IfAddr.IFA_LOCAL) ? t.bytes(IfAddr.IFA_LOCAL) : t.bytes(IfAddr.IFA_ADDRESS);
                if (a == null) {
                    return;
                }
                try {
                    out.add(new Addr(index, InetAddress.getByAddress(a), prefix));
                } catch (UnknownHostException e) {
                    throw new NetlinkParseException("address of " + a.length + " bytes on ifindex " + index, off);
                }
            }

            @Override
            public void onDumpInterrupted() {
                out.clear();
            }
        });
        return out;
    }

    /** Whether {@code address} is one of this namespace's addresses. */
    public boolean isLocal(InetAddress address) {
        for (Addr a : dump()) {
            if (a.address().equals(address)) {
                return true;
            }
        }
        return false;
    }
}
