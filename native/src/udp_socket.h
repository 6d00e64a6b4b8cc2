// Opens and binds the UDP socket the reader thread reads: non-blocking, a large receive buffer,
// and the two per-datagram control messages the reader uses (drop count, arrival time).
#pragma once

#include <cstdint>
#include <string>

namespace contrail {

struct BoundSocket {
  int fd = -1;
  // On failure: errno and the call that failed; fd stays -1.
  int error = 0;
  const char* syscall = nullptr;
  std::string address;
  uint16_t port = 0;
  int family = 0;  // 4 or 6
  // What the kernel granted (Linux reports twice the usable size, as dgram's getRecvBufferSize does).
  int recv_buffer_bytes = 0;
  // SO_RCVBUFFORCE worked (CAP_NET_ADMIN): the buffer is not capped by net.core.rmem_max.
  bool buffer_forced = false;
};

// `host` must be a numeric IPv4 or IPv6 address (resolve names before calling); port 0 binds
// an ephemeral port, reported in `port`.
BoundSocket OpenUdpSocket(const std::string& host, uint16_t port, int recv_buffer_bytes);

}  // namespace contrail
