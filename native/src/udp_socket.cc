#include "udp_socket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace contrail {
namespace {

BoundSocket Fail(BoundSocket& s, const char* syscall, int error) {
  if (s.fd >= 0) close(s.fd);
  s.fd = -1;
  s.error = error;
  s.syscall = syscall;
  return s;
}

int SetInt(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value));
}

}  // namespace

BoundSocket OpenUdpSocket(const std::string& host, uint16_t port, int recv_buffer_bytes) {
  BoundSocket s;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  // Numeric only: no DNS from here (JavaScript resolves names); scope ids (fe80::1%eth0) work.
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Fail(s, "getaddrinfo", EINVAL);
  }
  sockaddr_storage addr{};
  const socklen_t addr_len = found->ai_addrlen;
  std::memcpy(&addr, found->ai_addr, addr_len);
  const int family = found->ai_family;
  freeaddrinfo(found);

  s.fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd < 0) return Fail(s, "socket", errno);

  // SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN; SO_RCVBUF is capped by it.
  if (SetInt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, recv_buffer_bytes) == 0) {
    s.buffer_forced = true;
  } else if (SetInt(s.fd, SOL_SOCKET, SO_RCVBUF, recv_buffer_bytes) != 0) {
    return Fail(s, "setsockopt", errno);
  }
  // Every datagram then carries the socket's drop count so far (when non-zero) and the time the
  // kernel received it; both are read from the control messages recvmmsg returns.
  if (SetInt(s.fd, SOL_SOCKET, SO_RXQ_OVFL, 1) != 0) return Fail(s, "setsockopt", errno);
  if (SetInt(s.fd, SOL_SOCKET, SO_TIMESTAMPNS, 1) != 0) return Fail(s, "setsockopt", errno);

  if (bind(s.fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) return Fail(s, "bind", errno);

  sockaddr_storage local{};
  socklen_t local_len = sizeof(local);
  if (getsockname(s.fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return Fail(s, "getsockname", errno);
  char text[INET6_ADDRSTRLEN] = {0};
  if (local.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&local);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
    s.port = ntohs(a->sin6_port);
    s.family = 6;
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&local);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
    s.port = ntohs(a->sin_port);
    s.family = 4;
  }
  s.address = text;

  int granted = 0;
  socklen_t granted_len = sizeof(granted);
  if (getsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &granted, &granted_len) != 0) return Fail(s, "getsockopt", errno);
  s.recv_buffer_bytes = granted;
  return s;
}

}  // namespace contrail
