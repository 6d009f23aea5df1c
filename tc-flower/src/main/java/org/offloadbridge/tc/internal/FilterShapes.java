package org.offloadbridge.tc.internal;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLA_F_NESTED;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_ACT_KIND;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_ACT;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_KIND;
import static org.offloadbridge.netlink.uapi.Rtnetlink.TCA_OPTIONS;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Which filter shapes the kernel has been seen to store exactly as asked — so that an install
 * of a shape already shown needs no echo.
 *
 * <p><b>Why a shape is enough.</b> What can make the kernel hold something other than what we
 * sent is an attribute it does not know (an older kernel skips it, and the filter matches more
 * than asked) or a layout it reads differently. Both depend on which attributes a request
 * carries, at which nesting, with which lengths, and which tc actions (by kind) — not on the
 * values: flower stores each key and mask as given, each action's parameters as given. So the
 * <i>skeleton</i> of a request — every attribute's type and length in order, the nesting, each
 * action's kind — is the shape, and one echo that equals its request (compared whole by the
 * caller) vouches for every later request of that skeleton on this kernel. The first install of
 * every shape still asks for its echo and is compared; so is everything whose shape is not
 * recorded here (more than {@link #MAX_SHAPES}).
 *
 * <p>The skip flags are part of the key: the caller records only shapes whose placement the ack
 * already tells (skip_hw: no driver is asked), see {@code TcOffload}.
 *
 * <p>Computing a skeleton allocates nothing; a shape not yet vouched for is copied out
 * ({@link #unverified}) to be recorded once its echo matched. Not thread-safe: the owner serialises.
 */
public final class FilterShapes {
    /** At most this many shapes are remembered; past that every install asks for its echo. */
    public static final int MAX_SHAPES = 4096;
    private static final int NLMSG_HDRLEN = 16;
    private static final int TCMSG_LEN = 20;

    private final Set<ByteBuffer> verified = new HashSet<>();
    private ByteBuffer skeleton = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());

    /**
     * The skeleton of the RTM_NEWTFILTER message at {@code [offset, offset + length)} of
     * {@code msg} with cls flags {@code clsFlags}: null when that shape is vouched for already,
     * else a copy to pass to {@link #verified} once the echo of this request matched it.
     */
    public byte[] unverified(ByteBuffer msg, int offset, int length, int clsFlags) {
        skeleton.clear();
        skeleton.putInt(clsFlags);
        walk(msg, offset + NLMSG_HDRLEN + TCMSG_LEN, offset + length, Level.TOP);
        skeleton.flip();
        if (verified.contains(skeleton)) {
            return null;
        }
        return Arrays.copyOf(skeleton.array(), skeleton.limit());
    }

    /** The echo of a request of this skeleton showed the kernel stored it as asked. */
    public void verified(byte[] skeleton) {
        if (verified.size() < MAX_SHAPES) {
            verified.add(ByteBuffer.wrap(skeleton));
        }
    }

    /** How many shapes are vouched for. */
    public int size() {
        return verified.size();
    }

    /** Where an attribute sits: which of its children are nests, and which carry a kind name. */
    private enum Level { TOP, OPTIONS, ACTIONS, ACTION, NESTED }

    private void walk(ByteBuffer msg, int pos, int end, Level level) {
        while (pos + 4 <= end) {
            int len = msg.getShort(pos) & 0xffff;
            int type = msg.getShort(pos + 2) & 0xffff;
            if (len < 4 || pos + len > end) {
                put(0xffff, len); // malformed: its own shape, never one a good request has
                return;
            }
            put(type, len);
            int bare = type & ~NLA_F_NESTED & 0x3fff;
            Level inner = switch (level) {
                case TOP -> bare == TCA_OPTIONS ? Level.OPTIONS : null;
                case OPTIONS -> bare == TCA_FLOWER_ACT ? Level.ACTIONS : (type & NLA_F_NESTED) != 0 ? Level.NESTED : null;
                case ACTIONS -> Level.ACTION;
                case ACTION, NESTED -> (type & NLA_F_NESTED) != 0 ? Level.NESTED : null;
            };
            if (inner != null) {
                walk(msg, pos + 4, pos + len, inner);
            } else if ((level == Level.TOP && bare == TCA_KIND) || (level == Level.ACTION && bare == TCA_ACT_KIND)) {
                for (int i = pos + 4; i < pos + len; i++) {
                    putByte(msg.get(i)); // the classifier's and each action's kind: mirred, pedit, ...
                }
            }
            pos += (len + 3) & ~3;
        }
    }

    private void put(int type, int len) {
        ensure(4);
        skeleton.putShort((short) type).putShort((short) len);
    }

    private void putByte(byte b) {
        ensure(1);
        skeleton.put(b);
    }

    private void ensure(int n) {
        if (skeleton.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(2 * skeleton.capacity()).order(ByteOrder.nativeOrder());
            skeleton.flip();
            bigger.put(skeleton);
            skeleton = bigger;
        }
    }
}
