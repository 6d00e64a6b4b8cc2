// The reader thread: waits on the socket with ppoll, drains it with recvmmsg into fixed receive
// slots, copies what arrived into a batch and hands the batch on. Batches form by themselves:
// while JavaScript is busy the reader keeps filling the next one, so a flood arrives in few large
// calls and a trickle in small ones. A batch is handed on when it is full, or `linger_us` after
// its first datagram, and only while fewer than `max_in_flight` batches wait for JavaScript.
// With a full batch and no room the reader stops reading: a slow consumer fills the kernel's
// buffer (where drops are counted) instead of this process's memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <sys/socket.h>

#include "batch.h"

namespace contrail {

struct ReaderOptions {
  // Bytes per receive slot; a larger datagram is truncated and flagged. 65536 holds any UDP
  // datagram over IPv4 or IPv6 (without jumbograms).
  uint32_t slot_bytes = 65536;
  // Datagrams asked for per recvmmsg call.
  uint32_t datagrams_per_read = 64;
  // A batch is full at this many datagrams or bytes.
  uint32_t max_batch_datagrams = 1024;
  uint32_t max_batch_bytes = 1024 * 1024;
  // Batches handed to JavaScript and not yet processed.
  uint32_t max_in_flight = 2;
  // How long a batch may wait for company after its first datagram. Each hand-over wakes two
  // threads; gathering for up to a millisecond cuts that cost per datagram at moderate rates.
  uint32_t linger_us = 1000;
};

struct ReaderStats {
  std::atomic<uint64_t> datagrams{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> batches{0};
  std::atomic<uint64_t> truncated{0};
  // The kernel's drop count for this socket, as last reported by SO_RXQ_OVFL.
  std::atomic<uint64_t> kernel_drops{0};
  // Times the reader stopped reading: a full batch and max_in_flight batches waiting.
  std::atomic<uint64_t> stalls{0};
  std::atomic<uint64_t> read_errors{0};
  std::atomic<int> last_error{0};
};

class Reader {
 public:
  // Called on the reader thread with each batch, which it owns from then on; returns false when
  // the batch could not be queued (JavaScript is shutting down): it frees it and the reader stops.
  using Emit = std::function<bool(Batch)>;

  Reader(int fd, ReaderOptions options, Emit emit);
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();

  // Allocates the slots and starts the thread, which reads nothing until Go(): the consumer can
  // be set up knowing the thread exists. False with an errno value and the failed call.
  bool Start(int* error, const char** syscall);
  void Go();
  // Wakes the thread and joins it, then frees the slots. Idempotent; safe before Start.
  void Stop();
  // JavaScript is done with one batch: there is room for another. Any thread.
  void BatchDone();

  const ReaderStats& stats() const { return stats_; }

 private:
  void Run();
  void Wake();
  void Drain(BatchBuilder& batch);
  bool Full(const BatchBuilder& batch) const;

  const int fd_;
  const ReaderOptions options_;
  const Emit emit_;
  // Written to wake the thread: Go(), Stop(), and BatchDone() when the reader may wait for room.
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> go_{false};
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> in_flight_{0};

  // recvmmsg's per-slot state, allocated once: the data slots, their iovecs, control buffers.
  std::unique_ptr<uint8_t[]> slots_;
  std::vector<mmsghdr> headers_;
  std::vector<iovec> iovecs_;
  std::vector<uint8_t> control_;

  ReaderStats stats_;
};

}  // namespace contrail
