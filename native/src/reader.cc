#include "reader.h"

#include <cerrno>
#include <ctime>
#include <poll.h>
#include <system_error>
#include <sys/eventfd.h>
#include <unistd.h>

namespace contrail {
namespace {

// Room for the two control messages the socket asks for: SO_RXQ_OVFL (u32) and SO_TIMESTAMPNS.
constexpr size_t kControlBytes = 64;
static_assert(CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(timespec)) <= kControlBytes, "control buffer too small");

double ToMs(const timespec& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6; }

double NowMs() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return ToMs(t);
}

}  // namespace

Reader::Reader(int fd, ReaderOptions options, Emit emit) : fd_(fd), options_(options), emit_(std::move(emit)) {}

Reader::~Reader() { Stop(); }

bool Reader::Start(int* error, const char** syscall) {
  const uint32_t n = options_.datagrams_per_read;
  slots_.reset(new uint8_t[static_cast<size_t>(n) * options_.slot_bytes]);  // not zeroed: pages stay untouched until used
  headers_.assign(n, mmsghdr{});
  iovecs_.assign(n, iovec{});
  control_.assign(static_cast<size_t>(n) * kControlBytes, 0);
  for (uint32_t i = 0; i < n; i++) {
    iovecs_[i].iov_base = slots_.get() + static_cast<size_t>(i) * options_.slot_bytes;
    iovecs_[i].iov_len = options_.slot_bytes;
    msghdr& h = headers_[i].msg_hdr;
    h.msg_iov = &iovecs_[i];
    h.msg_iovlen = 1;
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    *error = errno;
    *syscall = "eventfd";
    return false;
  }
  try {
    thread_ = std::thread([this] { Run(); });
  } catch (const std::system_error& e) {
    *error = e.code().value();
    *syscall = "pthread_create";
    return false;
  }
  return true;
}

void Reader::Go() {
  go_.store(true);
  Wake();
}

void Reader::Wake() {
  const uint64_t one = 1;
  // Cannot fail short of a full counter, which would already be a wake-up.
  (void)!write(wake_fd_, &one, sizeof(one));
}

void Reader::Stop() {
  stop_.store(true);
  if (wake_fd_ >= 0) Wake();
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
  // The slots are the reader's only large allocation: give them back now, not when the
  // JavaScript object is collected.
  slots_.reset();
  headers_.clear();
  headers_.shrink_to_fit();
  iovecs_.clear();
  iovecs_.shrink_to_fit();
  control_.clear();
  control_.shrink_to_fit();
}

void Reader::BatchDone() {
  // Only a reader that found no room waits for it; the eventfd keeps the wake-up until read.
  if (in_flight_.fetch_sub(1) == options_.max_in_flight && !stop_.load()) Wake();
}

bool Reader::Full(const BatchBuilder& batch) const {
  return batch.count() >= options_.max_batch_datagrams || batch.data_bytes() >= options_.max_batch_bytes;
}

void Reader::Run() {
  BatchBuilder batch;
  timespec first{};  // when the batch's first datagram was read (CLOCK_MONOTONIC)
  bool stalled = false;
  const int64_t linger_ns = static_cast<int64_t>(options_.linger_us) * 1000;
  while (!stop_.load()) {
    const bool go = go_.load();
    const bool room = in_flight_.load() < options_.max_in_flight;
    const bool full = Full(batch);
    int64_t wait_ns = -1;  // forever
    if (go && batch.count() > 0) {
      timespec now{};
      clock_gettime(CLOCK_MONOTONIC, &now);
      const int64_t age = (now.tv_sec - first.tv_sec) * 1000000000LL + (now.tv_nsec - first.tv_nsec);
      if (room && (full || age >= linger_ns)) {
        if (!full) Drain(batch);  // what arrived while lingering
        in_flight_.fetch_add(1);
        stats_.batches.fetch_add(1, std::memory_order_relaxed);
        if (!emit_(batch.Finish())) return;  // JavaScript is gone: nothing will call BatchDone
        stalled = false;
        continue;
      }
      if (room) wait_ns = linger_ns - age;
    }
    if (full && !room && !stalled) {
      stats_.stalls.fetch_add(1, std::memory_order_relaxed);
      stalled = true;
    }
    // Wait for the wake-up, and for datagrams while there is space for them; while lingering,
    // only for the time to pass: waking for every datagram would cost what lingering saves.
    const bool lingering = wait_ns >= 0;
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {fd_, POLLIN, 0}};
    const nfds_t n = go && !full && !lingering ? 2 : 1;
    timespec timeout{wait_ns / 1000000000LL, wait_ns % 1000000000LL};
    const int ready = ppoll(fds, n, wait_ns < 0 ? nullptr : &timeout, nullptr);
    if (ready < 0) {
      if (errno == EINTR) continue;
      stats_.read_errors.fetch_add(1, std::memory_order_relaxed);
      stats_.last_error.store(errno, std::memory_order_relaxed);
      return;
    }
    if (fds[0].revents != 0) {
      uint64_t ignored = 0;
      (void)!read(wake_fd_, &ignored, sizeof(ignored));
    }
    if (n == 2 && fds[1].revents != 0) {
      const bool was_empty = batch.count() == 0;
      Drain(batch);
      if (was_empty && batch.count() > 0) clock_gettime(CLOCK_MONOTONIC, &first);
    }
  }
  // Stopping: what was read is handed on too, room or not, so close() loses no datagram it took
  // from the kernel (at most one batch more than max_in_flight).
  if (batch.count() > 0) {
    in_flight_.fetch_add(1);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);
    emit_(batch.Finish());
  }
}

// Reads until the socket is empty or the batch is full. With MSG_TRUNC, msg_len is a datagram's
// real size even when it did not fit its slot; only min(size, slot) bytes were written.
void Reader::Drain(BatchBuilder& batch) {
  const uint32_t slot = options_.slot_bytes;
  for (;;) {
    const uint32_t room = options_.max_batch_datagrams - batch.count();
    if (room == 0 || batch.data_bytes() >= options_.max_batch_bytes) return;
    const uint32_t want = room < options_.datagrams_per_read ? room : options_.datagrams_per_read;
    for (uint32_t i = 0; i < want; i++) {
      msghdr& h = headers_[i].msg_hdr;
      h.msg_control = control_.data() + static_cast<size_t>(i) * kControlBytes;
      h.msg_controllen = kControlBytes;  // the kernel shrinks it to what it wrote
      h.msg_flags = 0;
      h.msg_name = nullptr;
      h.msg_namelen = 0;
    }
    const int got = recvmmsg(fd_, headers_.data(), want, MSG_DONTWAIT | MSG_TRUNC, nullptr);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        stats_.read_errors.fetch_add(1, std::memory_order_relaxed);
        stats_.last_error.store(errno, std::memory_order_relaxed);
      }
      return;
    }
    double fallback_ms = -1;
    uint64_t bytes = 0;
    for (int i = 0; i < got; i++) {
      msghdr& h = headers_[i].msg_hdr;
      const uint32_t size = headers_[i].msg_len;
      const bool truncated = size > slot || (h.msg_flags & MSG_TRUNC) != 0;
      const uint32_t kept = size > slot ? slot : size;
      double arrival_ms = -1;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type == SO_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
          timespec t{};
          std::memcpy(&t, CMSG_DATA(c), sizeof(t));
          arrival_ms = ToMs(t);
        } else if (c->cmsg_type == SO_RXQ_OVFL && c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
          uint32_t drops = 0;
          std::memcpy(&drops, CMSG_DATA(c), sizeof(drops));
          stats_.kernel_drops.store(drops, std::memory_order_relaxed);
        }
      }
      if (arrival_ms < 0) {
        // No kernel timestamp (it should always be there): the time of the read instead.
        if (fallback_ms < 0) fallback_ms = NowMs();
        arrival_ms = fallback_ms;
      }
      if (truncated) stats_.truncated.fetch_add(1, std::memory_order_relaxed);
      batch.Add(static_cast<const uint8_t*>(iovecs_[i].iov_base), kept, size, arrival_ms, truncated ? kFlagTruncated : 0);
      bytes += size;
    }
    stats_.datagrams.fetch_add(static_cast<uint64_t>(got), std::memory_order_relaxed);
    stats_.bytes.fetch_add(bytes, std::memory_order_relaxed);
    if (static_cast<uint32_t>(got) < want) return;  // the socket was empty a moment ago
  }
}

}  // namespace contrail
