package org.offloadbridge.flow;

/**
 * IP protocol numbers the project handles, named as in the kernel's
 * {@code include/uapi/linux/in.h} / {@code in6.h} ({@code IPPROTO_*}). One copy for every module.
 */
public final class IpProto {
    private IpProto() {}

    public static final int HOPOPTS = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int GRE = 47;
    public static final int AH = 51;
    public static final int ICMPV6 = 58;
    public static final int DSTOPTS = 60;
    public static final int SCTP = 132;
}
