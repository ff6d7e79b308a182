#pragma once
// Stream: one connection's bytes, after TLS and WebSocket are peeled off. Owned
// by one reactor at a time and used only from its thread.
//
// Reading: when the socket is readable the stream reads into its reactor
// thread's scratch buffer and hands the application bytes to its StreamHandler,
// which consumes whole packets and returns how many bytes it used; the rest is
// kept for next time. An idle stream holds no buffer memory.
//
// Writing: the handler appends to output() and calls flush_soon(); the stream
// writes once at the end of the reactor's round, so many packets for one
// connection cost one system call.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_buffer.h"
#include "net/layer.h"
#include "net/reactor.h"

namespace millet::net {

class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // Application bytes are available. Returns how many were consumed (whole
  // packets); the rest are offered again, together with what arrives next.
  virtual std::size_t on_stream_data(ByteSpan data) = 0;
  // The peer closed, or an I/O or layer error occurred. Not called for a close
  // the handler asked for. `reason` is for the log.
  virtual void on_stream_closed(std::string_view reason) = 0;
  // All queued output has been written, after notify_when_drained().
  virtual void on_stream_drained() {}
};

// A peer's address, kept compactly and formatted on demand.
struct PeerAddress {
  std::uint8_t family = 0;  // AF_INET or AF_INET6; 0 unknown
  std::uint8_t bytes[16] = {};
  std::uint16_t port = 0;
  std::string to_string() const;
  static PeerAddress of_socket(int fd);
};

class Stream final : public std::enable_shared_from_this<Stream>, public IoHandler {
 public:
  // Takes a connected socket; it is registered with `reactor` by start().
  Stream(Reactor& reactor, int fd, std::vector<std::unique_ptr<Layer>> layers);
  ~Stream() override;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  Reactor& reactor() const { return *reactor_; }
  std::string remote_address() const { return peer_.to_string(); }
  bool is_open() const { return state_ == State::kOpen || state_ == State::kMigrating; }

  // Starts reading and delivering to `handler` (which must outlive the stream's
  // use of it: close() before destroying the handler).
  void start(StreamHandler* handler);

  ByteBuffer& output() { return output_; }
  // Writes output() at the end of the current round.
  void flush_soon();
  // Bytes queued and not yet accepted by the kernel — how far behind the peer is.
  std::size_t backlog() const { return output_.size() + (layers_ ? layers_->wire_output.size() : 0); }
  // Calls the handler's on_stream_drained() once the backlog has been written.
  void notify_when_drained() { notify_drained_ = true; }
  // Bytes the kernel has accepted so far: progress of a slow peer.
  std::uint64_t bytes_written() const { return bytes_written_; }
  // Stops reading while more than `bytes` wait to be written (0: no limit), so
  // a peer that sends but does not read cannot make the server buffer without end.
  void set_max_backlog(std::size_t bytes) { max_backlog_ = static_cast<std::uint32_t>(bytes); }

  // Reads and delivers, now, whatever the peer has already sent (without waiting
  // for more). Used before taking a session over, so that a DISCONNECT the old
  // connection sent first is seen first.
  void read_pending_input();

  // Stops delivering data until resume_reading(). Bytes that arrive meanwhile
  // wait in the kernel.
  void pause_reading();
  void resume_reading();

  // Closes the connection. With `flush`, queued output (and the layers'
  // goodbyes) is written at the end of the round — after the store, so nothing
  // is acknowledged before it is durable — as far as the socket takes it without
  // waiting. The handler is not called back.
  void close(bool flush);

  // Moves the stream to `target`'s thread. Call from within on_stream_data,
  // after consuming the bytes that belong to this reactor; bytes not consumed,
  // and output not yet written, travel with the stream. At the end of the round
  // the socket leaves this reactor and `on_arrival` runs on the target's
  // thread; it must call start() there. If the stream closes first,
  // `on_arrival` is dropped without running.
  void migrate(Reactor& target, std::function<void(std::shared_ptr<Stream>)> on_arrival);

  // Called by the reactor.
  void on_io(std::uint32_t events) override;
  void flush_now();
  void continue_reading() { read_available(); }

 private:
  enum class State : std::uint8_t { kOpen, kMigrating, kClosing, kClosed };

  // Present only for streams with layers (TLS, WebSocket).
  struct Layers {
    std::vector<std::unique_ptr<Layer>> list;
    ByteBuffer wire_output;  // encoded bytes to send
  };
  struct Migration {
    Reactor* target;
    std::function<void(std::shared_ptr<Stream>)> on_arrival;
  };

  bool reading_allowed() const { return state_ == State::kOpen && !reading_paused_ && !backlog_paused_; }
  void read_available();
  void deliver(ByteSpan bytes);
  void decode_through_layers(ByteSpan bytes);
  void send_down(std::size_t from_layer, ByteSpan bytes);
  void encode_output();
  void write_goodbyes();
  void fail(std::string_view reason);
  void close_now();
  void finish_migration();

  Reactor* reactor_;
  int fd_;
  std::unique_ptr<Layers> layers_;
  StreamHandler* handler_ = nullptr;
  ByteBuffer input_;   // application bytes not consumed yet
  ByteBuffer output_;  // application bytes to send
  std::unique_ptr<Migration> migration_;
  std::uint64_t bytes_written_ = 0;
  std::uint32_t max_backlog_ = 0;
  PeerAddress peer_;
  State state_ = State::kOpen;
  bool registered_ = false;
  bool readable_ = false;  // edge-triggered readiness not used up yet
  bool writable_ = false;
  bool hung_up_ = false;   // the peer shut down: read on until end of stream
  bool reading_paused_ = false;  // by the handler
  bool backlog_paused_ = false;  // by the stream: too much output waiting
  bool flush_scheduled_ = false;
  bool notify_drained_ = false;
};

}  // namespace millet::net
