// Counts TCP SYNs (without ACK) sent to one port over lo: how bench/probe-throughput.ts counts
// tcp checks, because HAProxy's plain TCP check is half-open (SYN, SYN-ACK, RST before the final
// ACK) and never reaches the fleet's accept(). A packet socket with a classic BPF filter that is
// never read: the kernel counts every match in PACKET_STATISTICS (queued or dropped alike), so the
// counter costs a filter run per lo packet and nothing per match once its small buffer is full.
// Needs CAP_NET_RAW. The bench compiles it with `cc -O2` into a temp dir.
//
//   syn-counter PORT      prints "ready"; on SIGUSR1 prints "syns=<n>" (cumulative); exits on SIGTERM
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23 // Linux 4.20+; lo shows every packet once outgoing, once incoming
#endif

static volatile sig_atomic_t report_flag, stop_flag;
static void on_signal(int sig) { sig == SIGUSR1 ? (report_flag = 1) : (stop_flag = 1); }

int main(int argc, char **argv) {
  int port = argc == 2 ? atoi(argv[1]) : 0;
  if (port <= 0 || port > 65535) return fprintf(stderr, "usage: %s PORT\n", argv[0]), 2;
  struct sock_filter code[] = {
      // The packet starts at the IPv4 header (SOCK_DGRAM). Jumps skip forward to "drop" (11).
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 9),   // 0-1 TCP
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6), BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 7, 0),       // 2-3 first fragment
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),                                                           // 4 X = IP header length
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)port, 0, 4), // 5-6 destination port
      BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13), BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),               // 7-8 SYN and ACK bits
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1),                                                  // 9 SYN alone
      BPF_STMT(BPF_RET | BPF_K, 1), BPF_STMT(BPF_RET | BPF_K, 0),                                       // 10 count, 11 drop
  };
  struct sock_fprog prog = {.len = sizeof code / sizeof code[0], .filter = code};
  // Protocol 0 receives nothing until bind, so the filter is in place before the first packet.
  int fd = socket(AF_PACKET, SOCK_DGRAM, 0), one = 1, small = 4096;
  struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = (int)if_nametoindex("lo")};
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ||
      setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) < 0 ||
      bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0)
    return perror("syn-counter: packet socket (needs CAP_NET_RAW)"), 1;
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGUSR1, &sa, NULL), sigaction(SIGTERM, &sa, NULL), sigaction(SIGINT, &sa, NULL);
  sigset_t block, wait_mask; // signals stay blocked except inside sigsuspend: none is missed
  sigemptyset(&block), sigaddset(&block, SIGUSR1), sigaddset(&block, SIGTERM), sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &wait_mask);
  unsigned long long total = 0;
  printf("ready\n"), fflush(stdout);
  while (!stop_flag) {
    sigsuspend(&wait_mask);
    struct tpacket_stats st; // reading resets the kernel's counters: keep the running total here
    socklen_t len = sizeof st;
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) total += st.tp_packets; // tp_packets includes tp_drops
    if (report_flag) report_flag = 0, printf("syns=%llu\n", total), fflush(stdout);
  }
  return 0;
}
