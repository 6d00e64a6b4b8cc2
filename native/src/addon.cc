// The JavaScript face of the receiver: `new UdpReceiver(options, onBatch)` binds and starts
// reading; `onBatch(buffer)` runs on the main thread once per batch (layout in batch.h);
// `address()`, `stats()`, and `close()`, which resolves once the thread is joined, the socket is
// closed and every batch already read has been delivered.
#include <napi.h>
#include <uv.h>

#include <cstdlib>
#include <unistd.h>
#include <memory>
#include <string>

#include "reader.h"
#include "udp_socket.h"

namespace contrail {
namespace {

class UdpReceiver;
void DeliverBatch(Napi::Env env, Napi::Function on_batch, UdpReceiver* self, Batch* batch);
using BatchFunction = Napi::TypedThreadSafeFunction<UdpReceiver, Batch, DeliverBatch>;

// Bumped whenever the batch layout or this API changes; the TypeScript loader checks it.
constexpr uint32_t kAbiVersion = 1;

Napi::Error SystemError(Napi::Env env, int error, const char* syscall, const std::string& where) {
  const char* code = uv_err_name(-error);
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + " " + code + " " + where);
  e.Set("code", code);
  e.Set("errno", Napi::Number::New(env, -error));
  e.Set("syscall", syscall);
  return e;
}

uint32_t OptionalUint(Napi::Object options, const char* name, uint32_t fallback, uint32_t min, uint32_t max) {
  Napi::Value v = options.Get(name);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(options.Env(), std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) {
    throw Napi::RangeError::New(options.Env(), std::string(name) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return static_cast<uint32_t>(d);
}

class UdpReceiver : public Napi::ObjectWrap<UdpReceiver> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "UdpReceiver",
                       {InstanceMethod<&UdpReceiver::Address>("address"), InstanceMethod<&UdpReceiver::Stats>("stats"),
                        InstanceMethod<&UdpReceiver::Close>("close")});
  }

  explicit UdpReceiver(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UdpReceiver>(info), env_(info.Env()) {
    Napi::Env env = info.Env();
    if (!info[0].IsObject() || !info[1].IsFunction()) throw Napi::TypeError::New(env, "new UdpReceiver(options, onBatch)");
    Napi::Object o = info[0].As<Napi::Object>();
    if (!o.Get("host").IsString()) throw Napi::TypeError::New(env, "host must be a numeric IP address string");
    const std::string host = o.Get("host").As<Napi::String>();
    const uint32_t port = OptionalUint(o, "port", 0, 0, 65535);
    const uint32_t buffer = OptionalUint(o, "recvBufferBytes", 8 * 1024 * 1024, 4096, 1u << 30);
    ReaderOptions r;
    r.slot_bytes = OptionalUint(o, "slotBytes", r.slot_bytes, 16, 65536);
    r.datagrams_per_read = OptionalUint(o, "datagramsPerRead", r.datagrams_per_read, 1, 1024);
    r.max_batch_datagrams = OptionalUint(o, "maxBatchDatagrams", r.max_batch_datagrams, 1, 65536);
    r.max_batch_bytes = OptionalUint(o, "maxBatchBytes", r.max_batch_bytes, 1, 64u << 20);
    r.max_in_flight = OptionalUint(o, "maxInFlight", r.max_in_flight, 1, 1024);
    r.linger_us = OptionalUint(o, "lingerUs", r.linger_us, 0, 1000000);

    socket_ = OpenUdpSocket(host, static_cast<uint16_t>(port), static_cast<int>(buffer));
    if (socket_.fd < 0) throw SystemError(env, socket_.error, socket_.syscall, host + ":" + std::to_string(port));

    reader_ = std::make_unique<Reader>(socket_.fd, r, [this](Batch b) { return Queue(b); });
    int error = 0;
    const char* syscall = nullptr;
    if (!reader_->Start(&error, &syscall)) {
      reader_.reset();
      close(socket_.fd);
      socket_.fd = -1;
      throw SystemError(env, error, syscall, "reader thread");
    }
    // The function keeps the event loop alive while the socket is open, as a dgram socket does;
    // its finalizer runs after close() once every queued batch is delivered.
    try {
      batches_ = BatchFunction::New(env, info[1].As<Napi::Function>(), "contrail-udp-receiver", 0, 1, this,
                                    [](Napi::Env, void*, UdpReceiver* self) { self->Released(); });
    } catch (...) {
      Shutdown();
      throw;
    }
    // Nothing below throws.
    Ref();  // the thread-safe function's context is this object: keep it until the finalizer
    napi_add_env_cleanup_hook(env_, EnvCleanup, this);
    hooked_ = true;
    reader_->Go();
  }

  ~UdpReceiver() override {
    Shutdown();
    Unhook();
  }

  // Called on the main thread after each batch's callback returned (or threw).
  void Delivered() { reader_->BatchDone(); }

 private:
  // Reader thread: queue one batch for the main thread; false when JavaScript is going away.
  bool Queue(Batch b) {
    auto* batch = new Batch(b);
    if (batches_.NonBlockingCall(batch) == napi_ok) return true;
    std::free(batch->bytes);
    delete batch;
    return false;
  }

  // Stops the thread and closes the socket. Idempotent; main thread (or env teardown) only.
  void Shutdown() {
    if (shut_) return;
    shut_ = true;
    if (reader_) reader_->Stop();
    if (socket_.fd >= 0) close(socket_.fd);
    socket_.fd = -1;
  }

  void Unhook() {
    if (hooked_) napi_remove_env_cleanup_hook(env_, EnvCleanup, this);
    hooked_ = false;
  }

  // The environment is going away (process exit, worker termination), closed or not: join the
  // thread before the thread-safe function it calls is torn down, and run no JavaScript after.
  // Registered after the function, so it runs before the function's own teardown.
  static void EnvCleanup(void* data) {
    auto* self = static_cast<UdpReceiver*>(data);
    self->hooked_ = false;
    self->tearing_down_ = true;
    self->Shutdown();
  }

  void Released() {
    released_ = true;
    if (tearing_down_) return;
    Unhook();
    if (closing_) closing_->Resolve(env_.Undefined());
    Unref();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!closing_) {
      closing_ = std::make_unique<Napi::Promise::Deferred>(info.Env());
      // A napi_value lives only as long as this call: later calls get the same promise from a reference.
      closing_promise_ = Napi::Persistent(closing_->Promise().As<Napi::Object>());
      Shutdown();
      // The finalizer runs once the queue is empty: batches read before the stop are delivered.
      if (!released_) batches_.Release();
    }
    return closing_promise_.Value();
  }

  Napi::Value Address(const Napi::CallbackInfo& info) {
    Napi::Object a = Napi::Object::New(info.Env());
    a.Set("address", socket_.address);
    a.Set("port", socket_.port);
    a.Set("family", socket_.family == 6 ? "IPv6" : "IPv4");
    a.Set("recvBufferBytes", socket_.recv_buffer_bytes);
    a.Set("bufferForced", socket_.buffer_forced);
    return a;
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    const ReaderStats& s = reader_->stats();
    auto n = [](const std::atomic<uint64_t>& v) { return static_cast<double>(v.load(std::memory_order_relaxed)); };
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("datagrams", n(s.datagrams));
    o.Set("bytes", n(s.bytes));
    o.Set("batches", n(s.batches));
    o.Set("truncated", n(s.truncated));
    o.Set("kernelDrops", n(s.kernel_drops));
    o.Set("stalls", n(s.stalls));
    o.Set("readErrors", n(s.read_errors));
    const int last = s.last_error.load(std::memory_order_relaxed);
    o.Set("lastError", last == 0 ? info.Env().Null() : Napi::String::New(info.Env(), uv_err_name(-last)));
    return o;
  }

  Napi::Env env_;
  BoundSocket socket_;
  std::unique_ptr<Reader> reader_;
  BatchFunction batches_;
  std::unique_ptr<Napi::Promise::Deferred> closing_;
  Napi::ObjectReference closing_promise_;
  bool shut_ = false;
  bool hooked_ = false;
  bool released_ = false;
  bool tearing_down_ = false;
};

// Main thread: hands one batch to JavaScript as an ArrayBuffer that owns the batch's memory
// (no copy), then lets the reader read another. `env` is null when the function is torn down
// with batches still queued: they are only freed.
void DeliverBatch(Napi::Env env, Napi::Function on_batch, UdpReceiver* self, Batch* batch) {
  std::unique_ptr<Batch> owned(batch);
  if (env == nullptr || on_batch.IsEmpty()) {
    std::free(owned->bytes);
    return;
  }
  struct Done {
    UdpReceiver* self;
    ~Done() { self->Delivered(); }
  } done{self};
  Napi::ArrayBuffer buffer =
      Napi::ArrayBuffer::New(env, owned->bytes, owned->length, [](Napi::Env, void* bytes) { std::free(bytes); });
  on_batch.Call({buffer});
}

}  // namespace
}  // namespace contrail

static Napi::Object InitContrailUdp(Napi::Env env, Napi::Object exports) {
  exports.Set("UdpReceiver", contrail::UdpReceiver::Define(env));
  exports.Set("abiVersion", contrail::kAbiVersion);
  return exports;
}

NODE_API_MODULE(contrail_udp, InitContrailUdp)
