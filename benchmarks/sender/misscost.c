/*
 * misscost.c — what the slow path's catch-all + miss device cost per missed packet
 * (benchmarks/scripts/slow-path-cost.sh, docs/slow-path.md "What it costs").
 *
 * What: one thread sends N identical 64-byte UDP frames from a device in one network namespace
 * (AF_PACKET raw socket, sendmmsg in batches of 64, pinned to one CPU); another thread, pinned
 * to the other CPU, counts the frames arriving on an AF_PACKET socket bound to a device in a
 * second namespace. The script runs it twice on the same veth pair: once with the counter on the
 * port itself (no tc: the cost of any packet arriving there, the "tap" a naive datapath would
 * use), once with the daemon's catch-all on the port's ingress redirecting to the miss device
 * and the counter on the miss device's datapath side — the path every missed packet takes. The
 * difference of the two per-packet times is the price of the design.
 *
 * Why the sender's CPU is the meter: veth's transmit hands the frame to the peer with netif_rx,
 * and the receive softirq (tc ingress, mirred, the second veth hop, the packet socket's queue)
 * runs on the sending CPU when the send syscall re-enables bottom halves. So the sender's
 * packets per second on its pinned CPU is 1 / (per-packet cost of the whole path); the counter
 * on the other CPU only drains its socket (a large SO_RCVBUF) and reports how many arrived.
 *
 * usage: misscost --tx-netns NS --tx-dev DEV --rx-netns NS --rx-dev DEV -n N
 * Output: one line "sent=… received=… send_ns=… pps=… ns_per_packet=…". Exit 0 when every frame
 * arrived, 3 when some were lost (the counter could not keep up: the figure is then a bound).
 *
 * Build: gcc -O2 -Wall -pthread -o misscost misscost.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME 60

static const char *tx_ns, *tx_dev, *rx_ns, *rx_dev;
static long n_packets;
static volatile long received;
static volatile int sending_done;

static void die(const char *what) {
    perror(what);
    exit(2);
}

static int packet_socket_in(const char *ns, const char *dev, int rcvbuf) {
    char path[256];
    snprintf(path, sizeof path, "/var/run/netns/%s", ns);
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
        die(path);
    }
    close(nsfd);
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) {
        die("socket");
    }
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
        die("SO_RCVBUFFORCE");
    }
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = if_nametoindex(dev)};
    if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
        die(dev);
    }
    return fd;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static uint16_t csum(const void *p, int len) {
    const uint16_t *w = p;
    uint32_t s = 0;
    for (; len > 1; len -= 2) {
        s += *w++;
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t)~s;
}

static void *counter(void *arg) {
    (void)arg;
    pin(1);
    int fd = packet_socket_in(rx_ns, rx_dev, 64 << 20);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[2048];
    int idle = 0;
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r > 0) {
            if (r == FRAME && buf[12] == 0x08 && buf[13] == 0x00 && (unsigned char)buf[23] == 17) {
                received++;
            }
            idle = 0;
        } else if (sending_done && ++idle >= 5) {
            break; /* a second of silence after the last send */
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--tx-netns")) tx_ns = argv[i + 1];
        else if (!strcmp(argv[i], "--tx-dev")) tx_dev = argv[i + 1];
        else if (!strcmp(argv[i], "--rx-netns")) rx_ns = argv[i + 1];
        else if (!strcmp(argv[i], "--rx-dev")) rx_dev = argv[i + 1];
        else if (!strcmp(argv[i], "-n")) n_packets = atol(argv[i + 1]);
        else { fprintf(stderr, "misscost: unknown option %s\n", argv[i]); return 2; }
    }
    if (!tx_ns || !tx_dev || !rx_ns || !rx_dev || n_packets <= 0) {
        fprintf(stderr, "usage: misscost --tx-netns NS --tx-dev DEV --rx-netns NS --rx-dev DEV -n N\n");
        return 2;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, counter, NULL)) {
        die("pthread_create");
    }
    usleep(300000); /* the counter's socket is bound before the first frame */
    pin(0);
    int fd = packet_socket_in(tx_ns, tx_dev, 0);

    /* One UDP frame 10.200.0.1:7000 -> 10.200.0.2:7001 to a MAC nobody has (a miss, never local). */
    unsigned char f[FRAME] = {0};
    memcpy(f, "\x02\xee\x00\x00\x00\x02" "\x02\xee\x00\x00\x00\x01" "\x08\x00", 14);
    unsigned char *ip = f + 14;
    ip[0] = 0x45; ip[2] = 0; ip[3] = 46; ip[8] = 64; ip[9] = 17;
    memcpy(ip + 12, "\x0a\xc8\x00\x01\x0a\xc8\x00\x02", 8);
    uint16_t c = csum(ip, 20);
    memcpy(ip + 10, &c, 2);
    unsigned char *udp = ip + 20;
    udp[0] = 0x1b; udp[1] = 0x58; udp[2] = 0x1b; udp[3] = 0x59; udp[5] = 26;

    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iov[i] = (struct iovec){.iov_base = f, .iov_len = FRAME};
        msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
    }
    long sent = 0, t0 = now_ns();
    while (sent < n_packets) {
        int want = n_packets - sent < BATCH ? (int)(n_packets - sent) : BATCH;
        int r = sendmmsg(fd, msgs, want, 0);
        if (r < 0) {
            if (errno == ENOBUFS || errno == EAGAIN) {
                continue;
            }
            die("sendmmsg");
        }
        sent += r;
    }
    long send_ns = now_ns() - t0;
    sending_done = 1;
    pthread_join(t, NULL);
    printf("sent=%ld received=%ld send_ns=%ld pps=%.0f ns_per_packet=%.1f\n", sent, received, send_ns,
           sent * 1e9 / send_ns, (double)send_ns / sent);
    return received == sent ? 0 : 3;
}
