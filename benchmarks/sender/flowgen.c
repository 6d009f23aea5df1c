/*
 * flowgen.c — the sender and stopwatch of the flow-setup benchmark
 * (benchmarks/scripts/flow-setup-vm.sh, docs/benchmarks-flow-setup.md).
 *
 * What: sends the first packet of N distinct UDP flows from one network namespace (an
 * AF_PACKET raw socket, sendmmsg in batches) and times, from the first packet sent, until
 * each of the N flows has been put into tc as a flower filter on a device's ingress in
 * another namespace. All sockets live in one process (setns before each socket is made; a
 * socket keeps the namespace it was made in), so start and end are read from one
 * CLOCK_MONOTONIC with no hand-over between processes.
 *
 * How the end is seen: tc's own notifications (RTNLGRP_TC). Every RTM_NEWTFILTER for a flower
 * filter on the device names its flow by the filter's Ethernet source key (each flow has its
 * own source MAC, below), so a flow counts as set up the moment its filter is first created,
 * to within the time it takes us to read the notification — no polling interval. A flow the
 * switch later deletes (both switches evict idle flows when their dynamic flow limit drops)
 * still counts as set up; the filters *present* are counted too, with one RTM_GETTFILTER dump
 * (TCA_DUMP_FLAGS_TERSE: handles only, no keys) every --interval-ms, and reported as
 * present_max / present_end, and deletions of our flows as deleted.
 *
 * Why C: the point is the switch's flow setup rate, so the sender must not be the bottleneck
 * (a Python loop under qemu TCG sends a few thousand packets a second), and counting with
 * `tc filter show | grep` costs a fork+exec and text for every filter on every poll.
 *
 * Flow i (I <= i < I + N): Ethernet src 02:f0:00:ii:ii:ii (i+1 in the low 3 bytes: every flow
 * also a distinct source MAC, so that an L2 rule set — NORMAL — makes one megaflow per flow in
 * both switches), dst --dst-mac; IPv4 src 10.(100 + i/65536).((i/256)%256).(i%256), dst
 * --dst-ip; UDP src port 1024 + i % 60000, dst port 5001; 18 payload bytes (a 64-byte frame
 * with FCS). IP and UDP checksums are filled in.
 *
 * usage:
 *   flowgen --tx-netns NS --tx-dev DEV --dst-mac MAC --dst-ip IP
 *           --watch-netns NS --watch-dev DEV -n N [--first-index I (flows I..I+N-1; default 0)]
 *           [--batch 64] [--rate PPS (0 = as fast as the socket takes them)]
 *           [--resend-after MS (0 = never): send all N again when no new flow came for MS]
 *           [--max-resends 3] [--interval-ms 1000 (filter dumps)] [--timeout-ms 300000]
 *           [--stall-ms 20000 (give up when no new flow came for this long)]
 *   flowgen --count-netns NS --count-dev DEV        (print the flower filter count, exit)
 *
 * Output (stdout, key=value): "baseline=" (flower filters present before), "sent=", "progress
 * ..." about once a second, and a final "result ..." line: installed (flows seen created),
 * complete=0|1, send_ms (first to last packet handed to the socket), setup_ms (first packet to
 * the N-th flow's creation, or to the latest new flow when not all came), rate (installed /
 * setup_ms), present_end/present_max (from the dumps, minus baseline), deleted, adds (creations
 * and replacements of our flows), unidentified (flower filters with no source MAC key: then
 * this tool cannot tell which flow they are), overflows (ENOBUFS on the notification socket:
 * then installed is a lower bound — unless a dump sees all N present, which then ends the run
 * at that dump: complete_by=dump instead of notifications), dumps and mean dump_ms. Exit 0 when all N were seen, 3 when
 * not (timeout or stall), 2 on usage or system errors.
 *
 * Build: gcc -O2 -Wall -o flowgen flowgen.c (flow-setup-vm.sh does that on the host).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN 60 /* 14 + 20 + 8 + 18 */
#define PAYLOAD_LEN 18

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "flowgen: ");
    vfprintf(stderr, fmt, ap);
    if (errno) {
        fprintf(stderr, ": %s", strerror(errno));
    }
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void enter_netns(const char *name) {
    char path[256];
    snprintf(path, sizeof path, "/run/netns/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        die("open %s", path);
    }
    if (setns(fd, CLONE_NEWNET) < 0) {
        die("setns %s", path);
    }
    close(fd);
}

static uint16_t csum_fold(uint32_t s) {
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t) ~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) {
        s += (uint32_t) (p[i] << 8 | p[i + 1]);
    }
    if (n & 1) {
        s += (uint32_t) p[n - 1] << 8;
    }
    return s;
}

static void build_frame(uint8_t *f, uint32_t i, const uint8_t dst_mac[6], uint32_t dst_ip) {
    uint32_t id = i + 1;
    uint8_t src_mac[6] = {0x02, 0xf0, 0x00, (uint8_t) (id >> 16), (uint8_t) (id >> 8), (uint8_t) id};
    uint32_t src_ip = (10u << 24) | ((100u + i / 65536u) << 16) | (((i / 256u) % 256u) << 8) | (i % 256u);
    uint16_t sport = (uint16_t) (1024 + i % 60000);
    uint16_t dport = 5001;
    memset(f, 0, FRAME_LEN);
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    uint16_t tot = 20 + 8 + PAYLOAD_LEN;
    ip[2] = (uint8_t) (tot >> 8);
    ip[3] = (uint8_t) tot;
    ip[4] = (uint8_t) (id >> 8);
    ip[5] = (uint8_t) id;
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = 17;
    uint32_t s = htonl(src_ip), d = htonl(dst_ip);
    memcpy(ip + 12, &s, 4);
    memcpy(ip + 16, &d, 4);
    uint16_t ipc = csum_fold(csum_add(0, ip, 20));
    ip[10] = (uint8_t) (ipc >> 8);
    ip[11] = (uint8_t) ipc;
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t) (sport >> 8);
    udp[1] = (uint8_t) sport;
    udp[2] = (uint8_t) (dport >> 8);
    udp[3] = (uint8_t) dport;
    uint16_t ulen = 8 + PAYLOAD_LEN;
    udp[4] = (uint8_t) (ulen >> 8);
    udp[5] = (uint8_t) ulen;
    snprintf((char *) udp + 8, PAYLOAD_LEN, "flow%010u", i);
    /* pseudo header: src, dst, zero, proto, udp length */
    uint32_t sum = csum_add(0, ip + 12, 8);
    sum += 17 + ulen;
    sum = csum_add(sum, udp, ulen);
    uint16_t uc = csum_fold(sum);
    if (uc == 0) {
        uc = 0xffff;
    }
    udp[6] = (uint8_t) (uc >> 8);
    udp[7] = (uint8_t) uc;
}

/* ---- counting flower filters with one terse netlink dump ---- */

static int nl_open(int rcvbuf) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        die("netlink socket");
    }
    int rcv = rcvbuf;
    /* FORCE passes net.core.rmem_max (root); plain SO_RCVBUF only when that is refused, since
     * it would cap the size at rmem_max again */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    }
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        die("netlink bind");
    }
    return fd;
}

static uint8_t rbuf[1 << 20];

/* Flower filters (tcm_handle != 0: not the per-prio header records) on ifindex's ingress, or -1. */
static long count_flower(int fd, int ifindex, uint32_t seq) {
    struct {
        struct nlmsghdr nh;
        struct tcmsg tc;
        uint8_t attrs[64];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_type = RTM_GETTFILTER;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = seq;
    req.tc.tcm_family = AF_UNSPEC;
    req.tc.tcm_ifindex = ifindex;
    req.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    size_t len = NLMSG_LENGTH(sizeof(struct tcmsg));
    struct rtattr *rta = (struct rtattr *) ((uint8_t *) &req + NLMSG_ALIGN(len));
    rta->rta_type = TCA_DUMP_FLAGS;
    rta->rta_len = RTA_LENGTH(sizeof(struct nla_bitfield32));
    struct nla_bitfield32 bf = {.value = TCA_DUMP_FLAGS_TERSE, .selector = TCA_DUMP_FLAGS_TERSE};
    memcpy(RTA_DATA(rta), &bf, sizeof bf);
    len = NLMSG_ALIGN(len) + RTA_ALIGN(rta->rta_len);
    req.nh.nlmsg_len = (uint32_t) len;
    if (send(fd, &req, len, 0) < 0) {
        die("netlink send");
    }
    long n = 0;
    for (;;) {
        ssize_t r = recv(fd, rbuf, sizeof rbuf, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("netlink recv");
        }
        for (struct nlmsghdr *h = (struct nlmsghdr *) rbuf; NLMSG_OK(h, (size_t) r); h = NLMSG_NEXT(h, r)) {
            if (h->nlmsg_seq != seq) {
                continue;
            }
            if (h->nlmsg_type == NLMSG_DONE) {
                return n;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                if (e->error == 0) {
                    continue;
                }
                errno = -e->error;
                return -1;
            }
            if (h->nlmsg_type != RTM_NEWTFILTER) {
                continue;
            }
            struct tcmsg *t = NLMSG_DATA(h);
            if (t->tcm_handle == 0) {
                continue;
            }
            int alen = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof *t));
            for (struct rtattr *a = (struct rtattr *) ((uint8_t *) t + NLMSG_ALIGN(sizeof *t)); RTA_OK(a, alen);
                 a = RTA_NEXT(a, alen)) {
                if (a->rta_type == TCA_KIND && strcmp((char *) RTA_DATA(a), "flower") == 0) {
                    n++;
                    break;
                }
            }
        }
    }
}

/* ---- the flows seen in tc, from tc's own notifications ---- */

struct flows {
    long n, first_index;
    int ifindex;
    uint8_t *seen;       /* per flow: was it ever in tc */
    long distinct;       /* flows seen created at least once */
    long adds, dels;     /* RTM_NEWTFILTER / RTM_DELTFILTER of our flows (adds include replaces) */
    long other;          /* notifications about other filters */
    long unidentified;   /* flower filters on the device without an Ethernet source key */
    long overflows;      /* ENOBUFS: notifications lost; then `installed` is a lower bound */
    int64_t t_last_new;  /* when the latest new flow was seen */
};

/* Which of our flows a flower filter's options hold (by its Ethernet source), or -1. */
static long flow_of(struct flows *fl, struct rtattr *opts) {
    int len = (int) RTA_PAYLOAD(opts);
    for (struct rtattr *a = RTA_DATA(opts); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == TCA_FLOWER_KEY_ETH_SRC && RTA_PAYLOAD(a) == 6) {
            uint8_t *m = RTA_DATA(a);
            if (m[0] != 0x02 || m[1] != 0xf0 || m[2] != 0x00) {
                return -2;
            }
            long id = ((long) m[3] << 16 | (long) m[4] << 8 | m[5]) - 1 - fl->first_index;
            return id >= 0 && id < fl->n ? id : -2;
        }
    }
    return -1;
}

/* Reads every notification queued on ev without blocking; count = 0 reads and forgets. */
static void drain_events(int ev, struct flows *fl, int count) {
    for (;;) {
        ssize_t r = recv(ev, rbuf, sizeof rbuf, MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == ENOBUFS) {
                fl->overflows++;
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            die("recv tc notifications");
        }
        if (!count) {
            continue;
        }
        int64_t now = now_ns();
        for (struct nlmsghdr *h = (struct nlmsghdr *) rbuf; NLMSG_OK(h, (size_t) r); h = NLMSG_NEXT(h, r)) {
            if (h->nlmsg_type != RTM_NEWTFILTER && h->nlmsg_type != RTM_DELTFILTER) {
                continue;
            }
            struct tcmsg *t = NLMSG_DATA(h);
            if (t->tcm_ifindex != fl->ifindex || t->tcm_handle == 0) {
                fl->other++;
                continue;
            }
            int alen = (int) (h->nlmsg_len - NLMSG_LENGTH(sizeof *t));
            int flower = 0;
            struct rtattr *opts = NULL;
            for (struct rtattr *a = (struct rtattr *) ((uint8_t *) t + NLMSG_ALIGN(sizeof *t)); RTA_OK(a, alen);
                 a = RTA_NEXT(a, alen)) {
                if (a->rta_type == TCA_KIND && strcmp((char *) RTA_DATA(a), "flower") == 0) {
                    flower = 1;
                } else if (a->rta_type == TCA_OPTIONS) {
                    opts = a;
                }
            }
            if (!flower) {
                fl->other++;
                continue;
            }
            long id = opts ? flow_of(fl, opts) : -1;
            if (id == -1) {
                fl->unidentified++;
                continue;
            }
            if (id < 0) {
                fl->other++;
                continue;
            }
            if (h->nlmsg_type == RTM_DELTFILTER) {
                fl->dels++;
                continue;
            }
            fl->adds++;
            if (!fl->seen[id]) {
                fl->seen[id] = 1;
                fl->distinct++;
                fl->t_last_new = now;
            }
        }
    }
}

static int parse_mac(const char *s, uint8_t m[6]) {
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) {
        return -1;
    }
    for (int i = 0; i < 6; i++) {
        m[i] = (uint8_t) v[i];
    }
    return 0;
}

static void sleep_until(int64_t t) {
    struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

/* Set while measuring: send_all reads tc's notifications between batches, so that they are
 * timed when they come and do not pile up in the socket while a burst goes out. */
static int send_ev = -1;
static struct flows *send_fl;

/* Sends frames [0, n) through fd, batch at a time, at most rate per second (0: unpaced). */
static long send_all(int fd, uint8_t *frames, long n, int batch, long rate, int64_t *first, int64_t *last) {
    struct mmsghdr *msgs = calloc((size_t) batch, sizeof *msgs);
    struct iovec *iov = calloc((size_t) batch, sizeof *iov);
    if (!msgs || !iov) {
        die("calloc");
    }
    long sent = 0;
    int64_t t0 = 0;
    while (sent < n) {
        int b = (int) ((n - sent) < batch ? (n - sent) : batch);
        for (int k = 0; k < b; k++) {
            iov[k].iov_base = frames + (size_t) (sent + k) * FRAME_LEN;
            iov[k].iov_len = FRAME_LEN;
            memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
        }
        if (rate > 0 && sent > 0) {
            sleep_until(t0 + sent * 1000000000LL / rate);
        }
        int64_t t = now_ns();
        int r = sendmmsg(fd, msgs, (unsigned) b, 0);
        if (r < 0) {
            if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
                continue;
            }
            die("sendmmsg");
        }
        if (sent == 0) {
            t0 = t;
            if (first) {
                *first = t;
            }
        }
        sent += r;
        if (send_ev >= 0) {
            drain_events(send_ev, send_fl, 1);
        }
    }
    if (last) {
        *last = now_ns();
    }
    free(msgs);
    free(iov);
    return sent;
}

int main(int argc, char **argv) {
    const char *tx_ns = NULL, *tx_dev = NULL, *w_ns = NULL, *w_dev = NULL, *c_ns = NULL, *c_dev = NULL;
    const char *dst_mac_s = NULL, *dst_ip_s = NULL;
    long n = 0, first_index = 0, rate = 0, interval_ms = 1000, timeout_ms = 300000, stall_ms = 20000, resend_after = 0, max_resends = 3;
    int batch = 64;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, dst, conv)                                                                                           \
    if (strcmp(a, name) == 0) {                                                                                        \
        if (!v) {                                                                                                      \
            errno = 0;                                                                                                 \
            die("%s needs a value", name);                                                                             \
        }                                                                                                              \
        dst = conv;                                                                                                    \
        i++;                                                                                                           \
        continue;                                                                                                      \
    }
        OPT("--tx-netns", tx_ns, v)
        OPT("--tx-dev", tx_dev, v)
        OPT("--watch-netns", w_ns, v)
        OPT("--watch-dev", w_dev, v)
        OPT("--count-netns", c_ns, v)
        OPT("--count-dev", c_dev, v)
        OPT("--dst-mac", dst_mac_s, v)
        OPT("--dst-ip", dst_ip_s, v)
        OPT("-n", n, atol(v))
        OPT("--first-index", first_index, atol(v))
        OPT("--batch", batch, atoi(v))
        OPT("--rate", rate, atol(v))
        OPT("--interval-ms", interval_ms, atol(v))
        OPT("--timeout-ms", timeout_ms, atol(v))
        OPT("--stall-ms", stall_ms, atol(v))
        OPT("--resend-after", resend_after, atol(v))
        OPT("--max-resends", max_resends, atol(v))
#undef OPT
        errno = 0;
        die("unknown argument '%s' (see the header of flowgen.c)", a);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (c_ns) {
        enter_netns(c_ns);
        int ifi = (int) if_nametoindex(c_dev ? c_dev : "");
        if (!ifi) {
            die("no device %s in %s", c_dev ? c_dev : "(none)", c_ns);
        }
        int nl = nl_open(4 << 20);
        long c = count_flower(nl, ifi, 1);
        if (c < 0) {
            die("dump filters of %s", c_dev);
        }
        printf("%ld\n", c);
        return 0;
    }

    errno = 0;
    if (!tx_ns || !tx_dev || !w_ns || !w_dev || !dst_mac_s || !dst_ip_s || n <= 0 || batch <= 0 || interval_ms <= 0) {
        die("needs --tx-netns --tx-dev --watch-netns --watch-dev --dst-mac --dst-ip -n N (see the header of flowgen.c)");
    }
    uint8_t dst_mac[6];
    struct in_addr dst_ip;
    if (parse_mac(dst_mac_s, dst_mac) < 0 || inet_pton(AF_INET, dst_ip_s, &dst_ip) != 1) {
        die("bad --dst-mac or --dst-ip");
    }
    if (first_index < 0 || n + first_index > 16777214) {
        errno = 0;
        die("at most 16777214 flows (first index + N)");
    }

    uint8_t *frames = malloc((size_t) n * FRAME_LEN);
    if (!frames) {
        die("malloc");
    }
    for (long i = 0; i < n; i++) {
        build_frame(frames + (size_t) i * FRAME_LEN, (uint32_t) (first_index + i), dst_mac, ntohl(dst_ip.s_addr));
    }

    /* the watch socket first, in its namespace; then the sender's, in its own */
    enter_netns(w_ns);
    int w_ifi = (int) if_nametoindex(w_dev);
    if (!w_ifi) {
        die("no device %s in netns %s", w_dev, w_ns);
    }
    int nl = nl_open(4 << 20);
    /* each notification is an skb of about a page: 64 MiB holds some 10,000 unread */
    int ev = nl_open(64 << 20);
    enter_netns(tx_ns);
    int tx_ifi = (int) if_nametoindex(tx_dev);
    if (!tx_ifi) {
        die("no device %s in netns %s", tx_dev, tx_ns);
    }
    int pf = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: we only send */
    if (pf < 0) {
        die("AF_PACKET socket");
    }
    int sndbuf = 4 << 20;
    setsockopt(pf, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_ifindex = tx_ifi, .sll_protocol = 0};
    if (bind(pf, (struct sockaddr *) &ll, sizeof ll) < 0) {
        die("bind AF_PACKET to %s", tx_dev);
    }
    int one = 1;
    setsockopt(pf, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);

    uint32_t seq = 1;
    long base = count_flower(nl, w_ifi, seq++);
    if (base < 0) {
        die("dump filters of %s", w_dev);
    }
    /* tc's notifications, from before the first packet: every filter created or deleted */
    int grp = RTNLGRP_TC;
    if (setsockopt(ev, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof grp) < 0) {
        die("join RTNLGRP_TC");
    }
    struct flows fl = {.n = n, .first_index = first_index, .ifindex = w_ifi, .seen = calloc((size_t) n, 1)};
    if (!fl.seen) {
        die("calloc");
    }
    drain_events(ev, &fl, 0); /* nothing of ours yet; whatever is there is not counted */
    fl.distinct = fl.adds = fl.dels = fl.other = fl.unidentified = fl.overflows = 0;
    memset(fl.seen, 0, (size_t) n);
    printf("baseline=%ld flows=%ld first_index=%ld batch=%d rate=%ld dump_interval_ms=%ld\n", base, n, first_index, batch,
           rate, interval_ms);

    int64_t first = 0, last = 0;
    send_ev = ev;
    send_fl = &fl;
    long sent = send_all(pf, frames, n, batch, rate, &first, &last);
    printf("sent=%ld send_ms=%.1f\n", sent, (last - first) / 1e6);
    if (fl.t_last_new == 0) {
        fl.t_last_new = first;
    }

    long present = -1, present_max = 0, dumps = 0, resends = 0;
    int by_dump = 0;
    int64_t dump_ns = 0, next_dump = now_ns(), next_progress = first + 1000000000LL, t_stall_from = first;
    for (;;) {
        int64_t now = now_ns();
        if (now >= next_dump) {
            int64_t d0 = now;
            long c = count_flower(nl, w_ifi, seq++);
            now = now_ns();
            if (c < 0) {
                die("dump filters of %s", w_dev);
            }
            dumps++;
            dump_ns += now - d0;
            present = c - base;
            if (present > present_max) {
                present_max = present;
            }
            next_dump += interval_ms * 1000000LL;
            if (next_dump < now) {
                next_dump = now;
            }
        }
        int wait_ms = (int) ((next_dump - now) / 1000000);
        if (wait_ms > 100) {
            wait_ms = 100;
        }
        struct pollfd pfd = {.fd = ev, .events = POLLIN};
        poll(&pfd, 1, wait_ms < 0 ? 0 : wait_ms);
        drain_events(ev, &fl, 1);
        now = now_ns();
        if (fl.distinct >= n) {
            break;
        }
        if (fl.overflows > 0 && present >= n && !by_dump) {
            /* notifications were lost, but a dump shows all N: done, to the dump's granularity */
            by_dump = 1;
            fl.t_last_new = now;
            break;
        }
        if (now >= next_progress) {
            printf("progress t_ms=%.0f installed=%ld present=%ld deleted=%ld\n", (now - first) / 1e6, fl.distinct, present,
                   fl.dels);
            next_progress += 1000000000LL;
        }
        if ((now - first) / 1000000 >= timeout_ms) {
            break;
        }
        int64_t quiet_from = fl.t_last_new > t_stall_from ? fl.t_last_new : t_stall_from;
        if (resend_after > 0 && (now - quiet_from) / 1000000 >= resend_after && resends < max_resends) {
            resends++;
            printf("resend %ld at t_ms=%.0f installed=%ld\n", resends, (now - first) / 1e6, fl.distinct);
            send_all(pf, frames, n, batch, rate, NULL, NULL);
            t_stall_from = now_ns(); /* give the resend its own stall window */
        } else if ((now - quiet_from) / 1000000 >= stall_ms) {
            break;
        }
    }
    int complete = fl.distinct >= n || by_dump;
    long c = count_flower(nl, w_ifi, seq++);
    present = c < 0 ? -1 : c - base;
    if (present > present_max) {
        present_max = present;
    }
    double setup_ms = (fl.t_last_new - first) / 1e6;
    long setup_n = by_dump ? n : fl.distinct;
    printf("result flows=%ld sent=%ld installed=%ld complete=%d send_ms=%.1f setup_ms=%.1f rate=%.1f present_end=%ld "
           "present_max=%ld deleted=%ld adds=%ld unidentified=%ld overflows=%ld complete_by=%s resends=%ld dumps=%ld "
           "dump_ms=%.1f\n",
           n, sent, setup_n, complete, (last - first) / 1e6, setup_ms, setup_ms > 0 ? setup_n * 1000.0 / setup_ms : 0.0,
           present, present_max, fl.dels, fl.adds, fl.unidentified, fl.overflows, by_dump ? "dump" : "notifications",
           resends, dumps, dumps ? dump_ns / 1e6 / dumps : 0.0);
    return complete ? 0 : 3;
}
