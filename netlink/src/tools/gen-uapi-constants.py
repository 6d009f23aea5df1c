#!/usr/bin/env python3
"""Generate the uapi constant classes of org.offloadbridge.netlink.uapi from the kernel's
uapi headers installed on this machine (Debian linux-libc-dev).

Why generated: hand-copied enums drift silently (one missed member shifts every later
value). Here every name comes from the header and every value from the C compiler
evaluating that very name, so the Java constant equals what iproute2 compiles against.

Usage (from the repository root):
    netlink/src/tools/gen-uapi-constants.py [/usr/include]
Re-run when moving to a newer uapi and review the diff; the version mirrored is written
into each class's Javadoc.
"""
import os, re, subprocess, sys, tempfile

INC = sys.argv[1] if len(sys.argv) > 1 else "/usr/include"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "../main/java/org/offloadbridge/netlink/uapi")
PKG = "org.offloadbridge.netlink.uapi"

# class name, header, prerequisite includes, one-line description
HEADERS = [
    ("NetlinkConstants", "linux/netlink.h", [], "netlink message header, attribute flags, socket options"),
    ("Rtnetlink", "linux/rtnetlink.h", [], "rtnetlink message types, multicast groups, tcmsg attributes"),
    ("IfLink", "linux/if_link.h", [], "link attributes (IFLA_*), link kinds' info attributes (veth, vlan, ...)"),
    ("IfAddr", "linux/if_addr.h", [], "interface addresses (IFA_*, struct ifaddrmsg)"),
    ("Veth", "linux/veth.h", [], "veth link kind (VETH_INFO_PEER)"),
    ("If", "linux/if.h", [], "interface flags (IFF_*) and operstates"),
    ("Genetlink", "linux/genetlink.h", [], "generic netlink controller (CTRL_*)"),
    ("PktSched", "linux/pkt_sched.h", [], "qdiscs (TCA_* options, TC_H_*)"),
    ("PktCls", "linux/pkt_cls.h", [], "classifiers and the action framework (TCA_FLOWER_*, TCA_U32_*, TCA_ACT_*)"),
    ("GenStats", "linux/gen_stats.h", [], "statistics attributes (TCA_STATS_*) of qdiscs, classes and actions"),
    ("TcMirred", "linux/tc_act/tc_mirred.h", ["linux/pkt_cls.h"], "act_mirred"),
    ("TcGact", "linux/tc_act/tc_gact.h", ["linux/pkt_cls.h"], "act_gact"),
    ("TcVlan", "linux/tc_act/tc_vlan.h", ["linux/pkt_cls.h"], "act_vlan"),
    ("TcPedit", "linux/tc_act/tc_pedit.h", ["linux/pkt_cls.h"], "act_pedit"),
    ("TcCsum", "linux/tc_act/tc_csum.h", ["linux/pkt_cls.h"], "act_csum"),
    ("TcTunnelKey", "linux/tc_act/tc_tunnel_key.h", ["linux/pkt_cls.h"], "act_tunnel_key"),
    ("TcSkbedit", "linux/tc_act/tc_skbedit.h", ["linux/pkt_cls.h"], "act_skbedit"),
    ("TcCt", "linux/tc_act/tc_ct.h", ["linux/pkt_cls.h"], "act_ct"),
    ("Devlink", "linux/devlink.h", [], "devlink generic netlink family"),
    ("EthtoolNetlink", "linux/ethtool_netlink.h", [], "ethtool generic netlink family"),
]

STRINGS = {}

# Struct field offsets some classes carry besides the header's constants (computed with
# offsetof, so they follow the header too): class -> [(java name, struct, field, doc)].
OFFSETS = {
    "GenStats": [
        ("GNET_STATS_BASIC_BYTES", "struct gnet_stats_basic", "bytes", "offset of {@code bytes} (u64)"),
        ("GNET_STATS_BASIC_PACKETS", "struct gnet_stats_basic", "packets", "offset of {@code packets} (u32)"),
    ],
}

def strip_comments(s):
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    return re.sub(r"//[^\n]*", " ", s)

def names_in(header_path):
    text = strip_comments(open(header_path).read())
    text = re.sub(r"\\\n", " ", text)
    out = []  # (name, group)
    pos = 0
    for m in re.finditer(r"^\s*#\s*define\s+([A-Za-z_]\w*)(\(?)(.*)$|\benum\s*(\w*)\s*\{([^}]*)\}", text, re.M):
        if m.group(1):
            name, fnlike, rest = m.group(1), m.group(2), m.group(3).strip()
            if fnlike or not rest or name.startswith("_"):
                continue
            if rest.startswith('"'):
                # String macros (family and group names) are copied, not evaluated: the
                # compiler would give us a pointer.
                STRINGS[name] = re.match(r'"([^"]*)"', rest).group(1)
            out.append((name, "#define"))
        else:
            ename = m.group(4) or "(anonymous)"
            body = re.sub(r"^\s*#.*$", " ", m.group(5), flags=re.M)
            for member in body.split(","):
                mm = re.match(r"\s*([A-Za-z_]\w*)", member)
                if not mm:
                    continue
                n = mm.group(1)
                if n.startswith("__"):
                    continue
                out.append((n, "enum " + ename))
    seen, uniq = set(), []
    for n, g in out:
        if n not in seen:
            seen.add(n); uniq.append((n, g))
    return uniq

def evaluate(includes, names):
    names = list(names)
    while True:
        src = ["#include <stdio.h>", "#include <stddef.h>", "#include <linux/types.h>", "#include <sys/socket.h>"]
        src += ["#include <%s>" % i for i in includes]
        src.append("int main(void) {")
        first = len(src) + 1
        for n in names:
            expr = n[1] if isinstance(n, tuple) else n
            key = n[0] if isinstance(n, tuple) else n
            src.append('printf("%%s %%lld\\n", "%s", (long long)(%s));' % (key, expr))
        src.append("return 0; }")
        with tempfile.TemporaryDirectory() as d:
            c, exe = os.path.join(d, "g.c"), os.path.join(d, "g")
            open(c, "w").write("\n".join(src) + "\n")
            r = subprocess.run(["gcc", "-w", "-I", INC, "-o", exe, c], capture_output=True, text=True)
            if r.returncode != 0:
                bad = set()
                for line in r.stderr.splitlines():
                    mm = re.match(r".*g\.c:(\d+):\d+: error", line)
                    if mm:
                        idx = int(mm.group(1)) - first
                        if 0 <= idx < len(names):
                            bad.add(idx)
                if not bad:
                    raise SystemExit(r.stderr)
                names = [n for i, n in enumerate(names) if i not in bad]
                continue
            vals = {}
            for line in subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines():
                k, v = line.split()
                vals[k] = int(v)
            return vals

def literal(v):
    if -2**31 <= v < 2**31:
        return "int", ("0x%x" % v) if v >= 0x10000 else str(v)
    if 2**31 <= v < 2**32:
        return "int", "0x%x" % v
    if v >= 2**63:
        v -= 2**64
    return "long", "0x%xL" % (v & (2**64 - 1))

def main():
    ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "linux-libc-dev"],
                         capture_output=True, text=True).stdout.strip() or "unknown"
    os.makedirs(OUT, exist_ok=True)
    for cls, hdr, pre, desc in HEADERS:
        names = names_in(os.path.join(INC, hdr))
        vals = evaluate(pre + [hdr], [n for n, _ in names if n not in STRINGS])
        lines = ["// GENERATED by netlink/src/tools/gen-uapi-constants.py from <%s>; do not edit." % hdr,
                 "package %s;" % PKG, "",
                 "/**",
                 " * Constants of the kernel uapi header {@code <%s>}: %s." % (hdr, desc),
                 " *",
                 " * <p>Mirrors the Linux 6.1 uapi (Debian linux-libc-dev %s), the kernel the test VM" % ver,
                 " * runs; newer kernels only append to these enums, so the values hold there too. Names",
                 " * are exactly the C names; each group notes the C enum (or {@code #define}) it comes from.",
                 " */",
                 "@SuppressWarnings(\"unused\")",
                 "public final class %s {" % cls,
                 "    private %s() {" % cls, "    }"]
        group = None
        for n, g in names:
            if n in STRINGS:
                if g != group:
                    lines.append(""); lines.append("    // %s" % g); group = g
                lines.append('    public static final String %s = "%s";' % (n, STRINGS[n]))
                continue
            if n not in vals:
                continue
            if g != group:
                lines.append(""); lines.append("    // %s" % g); group = g
            t, lit = literal(vals[n])
            lines.append("    public static final %s %s = %s;" % (t, n, lit))
        extra = OFFSETS.get(cls, [])
        if extra:
            offs = evaluate(pre + [hdr], [(j, "offsetof(%s, %s)" % (st, f)) for j, st, f, _ in extra])
            lines.append("")
            for j, st, f, doc in extra:
                lines.append("    /** {@code %s}: %s. */" % (st, doc))
                lines.append("    public static final int %s = %d;" % (j, offs[j]))
        lines.append("}")
        open(os.path.join(OUT, cls + ".java"), "w").write("\n".join(lines) + "\n")
        print("%s: %d constants" % (cls, len(vals)))

main()
