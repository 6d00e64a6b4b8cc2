// One batch of datagrams as JavaScript receives it: a single buffer, filled by the reader thread
// and handed over whole (one ThreadSafeFunction call per batch, not per datagram).
//
// Layout, native byte order (JavaScript reads it on the same machine with typed arrays):
//   [0, 4)                     u32 count of datagrams
//   [4, 8)                     u32 metaOffset, a multiple of 8
//   [8, metaOffset)            the datagrams' bytes, back to back (padding at the end)
//   [metaOffset, + count*24)   per datagram: f64 arrivalMs, u32 offset, u32 length, u32 size, u32 flags
// `length` bytes were kept at `offset`; `size` is the datagram's real size, larger than `length`
// only when it did not fit its receive slot (flags bit 0, truncated). The bytes come first and
// the table last so each datagram is copied once, straight from its slot, before the count is known.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace contrail {

constexpr uint32_t kFlagTruncated = 1;

struct DatagramMeta {
  double arrival_ms;
  uint32_t offset;
  uint32_t length;
  uint32_t size;
  uint32_t flags;
};
static_assert(sizeof(DatagramMeta) == 24, "the table layout JavaScript reads");

constexpr size_t kHeaderBytes = 8;

// A finished batch: a malloc'd buffer JavaScript takes ownership of (freed by its finalizer).
struct Batch {
  uint8_t* bytes;
  size_t length;
};

class BatchBuilder {
 public:
  BatchBuilder() = default;
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;
  ~BatchBuilder() { std::free(data_); }

  uint32_t count() const { return static_cast<uint32_t>(meta_.size()); }
  size_t data_bytes() const { return used_ - kHeaderBytes; }

  void Add(const uint8_t* bytes, uint32_t length, uint32_t size, double arrival_ms, uint32_t flags) {
    Reserve(used_ + length);
    if (length > 0) std::memcpy(data_ + used_, bytes, length);
    meta_.push_back(DatagramMeta{arrival_ms, static_cast<uint32_t>(used_), length, size, flags});
    used_ += length;
  }

  // Appends the table, writes the header and hands the buffer over; the builder starts afresh.
  Batch Finish() {
    const size_t meta_offset = (used_ + 7) & ~static_cast<size_t>(7);
    const size_t total = meta_offset + meta_.size() * sizeof(DatagramMeta);
    Reserve(total);
    std::memset(data_ + used_, 0, meta_offset - used_);
    std::memcpy(data_ + meta_offset, meta_.data(), meta_.size() * sizeof(DatagramMeta));
    const uint32_t header[2] = {count(), static_cast<uint32_t>(meta_offset)};
    std::memcpy(data_, header, sizeof(header));
    Batch out{data_, total};
    next_initial_ = total;
    data_ = nullptr;
    capacity_ = 0;
    used_ = kHeaderBytes;
    meta_.clear();
    return out;
  }

 private:
  // A fresh buffer starts as large as the last batch was (at least this), so a trickle of single
  // datagrams stays in small heap blocks and a flood rarely has to grow one.
  static constexpr size_t kMinBytes = 16 * 1024;

  void Reserve(size_t need) {
    if (need <= capacity_) return;
    size_t next = capacity_ == 0 ? (next_initial_ > kMinBytes ? next_initial_ : kMinBytes) : capacity_;
    while (next < need) next *= 2;
    auto* grown = static_cast<uint8_t*>(std::realloc(data_, next));
    if (grown == nullptr) {
      // Node itself aborts when it runs out of memory; a receiver cannot do better.
      std::fprintf(stderr, "contrail_udp: out of memory growing a batch to %zu bytes\n", next);
      std::abort();
    }
    data_ = grown;
    capacity_ = next;
  }

  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = kHeaderBytes;
  size_t next_initial_ = kMinBytes;
  std::vector<DatagramMeta> meta_;
};

}  // namespace contrail
