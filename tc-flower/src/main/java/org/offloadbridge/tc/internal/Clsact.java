package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETQDISC;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWQDISC;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_KIND;

import org.offloadbridge.netlink.AttributeTable;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.TcMsg;
import org.offloadbridge.netlink.uapi.PktSched;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * The one place a device gets its ingress qdisc: a clsact is added when the device has
 * neither clsact nor ingress (either gives filters an ingress hook); other qdiscs are left
 * alone. Used by the flow filters and the slow path's catch-all alike.
 */
public final class Clsact {
    private final NetlinkConnection conn;
    private final NetlinkMessageWriter w = new NetlinkMessageWriter(512);
    private final TcMsg tcmsg = new TcMsg();
    private final AttributeTable attrs = new AttributeTable(Rtnetlink.TCA_MAX);

    public Clsact(NetlinkConnection conn) {
        this.conn = conn;
    }

    /**
     * Makes sure {@code ifindex} has an ingress hook.
     *
     * @return true when this call added the clsact (so a caller may remove it again)
     * @throws NetlinkException with the kernel's text
     */
    public synchronized boolean ensure(int ifindex) {
        boolean[] has = new boolean[1];
        w.reset();
        w.beginMessage(RTM_GETQDISC, 0);
        w.putTcMsg(0, ifindex, 0, 0, 0);
        w.finish(0);
        conn.dump("dump qdiscs of ifindex " + ifindex, w, (req, msg) -> {
            int off = msg.fixedHeader(TcMsg.LENGTH);
            tcmsg.wrap(msg.buffer(), off);
            if (tcmsg.ifindex() != ifindex || tcmsg.parent() != PktSched.TC_H_INGRESS) {
                return;
            }
            msg.attributes(TcMsg.LENGTH, attrs);
            String kind = attrs.string(TCA_KIND);
            has[0] |= "clsact".equals(kind) || "ingress".equals(kind);
        });
        if (has[0]) {
            return false;
        }
        w.reset();
        w.beginMessage(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
        w.putTcMsg(0, ifindex, 0xffff0000, PktSched.TC_H_CLSACT, 0);
        w.putString(TCA_KIND, "clsact");
        w.finish(0);
        try {
            conn.request("add clsact qdisc on ifindex " + ifindex, w);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
            return false;
        }
    }
}
