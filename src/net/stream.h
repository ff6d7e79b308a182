#pragma once
// Stream: one accepted connection's bytes, after TLS and WebSocket are peeled
// off. Owned by one reactor at a time and used only from its thread.
//
// Reading: the stream reads into its reactor's scratch buffer and hands the
// application bytes to its StreamHandler, which consumes whole packets and
// returns how many bytes it used; the rest is kept for next time. An idle
// stream holds no buffer memory.
//
// Writing: the handler appends to output() and calls flush_soon(); the stream
// writes once at the end of the reactor's round, so many packets for one
// connection cost one system call.

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_buffer.h"
#include "net/layer.h"

namespace millet::net {

class Reactor;

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

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(Reactor& reactor, boost::asio::ip::tcp::socket socket, std::vector<std::unique_ptr<Layer>> layers);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  Reactor& reactor() const { return *reactor_; }
  const std::string& remote_address() const { return remote_address_; }
  bool is_open() const { return state_ != State::kClosed; }

  // Starts reading and delivering to `handler` (which must outlive the stream's
  // use of it: call detach() or close() before destroying the handler).
  void start(StreamHandler* handler);
  void set_handler(StreamHandler* handler) { handler_ = handler; }

  ByteBuffer& output() { return output_; }
  // Writes output() at the end of the current round.
  void flush_soon();
  // Bytes queued and not yet accepted by the kernel — how far behind the peer is.
  std::size_t backlog() const { return output_.size() + wire_output_.size(); }
  // Calls the handler's on_stream_drained() once the backlog has been written.
  void notify_when_drained() { notify_drained_ = true; }
  // Bytes the kernel has accepted so far: progress of a slow peer.
  std::uint64_t bytes_written() const { return bytes_written_; }

  // Reads and delivers, now, whatever the peer has already sent (without waiting
  // for more). Used before taking a session over, so that a DISCONNECT the old
  // connection sent first is seen first.
  void read_pending_input();

  // Stops delivering data until resume_reading(). Bytes that arrive meanwhile
  // wait in the kernel.
  void pause_reading();
  void resume_reading();

  // Closes the connection. With `flush`, queued output (and the layers'
  // goodbyes) is written first, as far as the socket takes it without waiting.
  // The handler is not called back.
  void close(bool flush);

  // Moves the stream to `target`'s thread. Call from within on_stream_data,
  // after consuming the bytes that belong to this reactor; bytes not consumed
  // travel with the stream. Once output is written, `on_arrival` runs on the
  // target's thread, after which the caller resumes reading there.
  void migrate(Reactor& target, std::function<void(std::shared_ptr<Stream>)> on_arrival);

  // Called by the reactor at the end of a round.
  void flush_now();

 private:
  enum class State { kOpen, kMigrating, kClosed };

  void wait_readable();
  void on_readable();
  void deliver(ByteSpan bytes);
  void decode_through_layers(ByteSpan bytes);
  void send_down(std::size_t from_layer, ByteSpan bytes);
  void encode_output();
  void wait_writable();
  void fail(std::string_view reason);
  void finish_migration();

  Reactor* reactor_;
  boost::asio::ip::tcp::socket socket_;
  std::vector<std::unique_ptr<Layer>> layers_;
  StreamHandler* handler_ = nullptr;
  std::string remote_address_;
  ByteBuffer input_;        // application bytes not consumed yet
  ByteBuffer output_;       // application bytes to send
  ByteBuffer wire_output_;  // encoded bytes to send (streams with layers)
  State state_ = State::kOpen;
  bool reading_paused_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
  bool flush_scheduled_ = false;
  bool notify_drained_ = false;
  std::uint64_t bytes_written_ = 0;
  Reactor* migration_target_ = nullptr;
  std::function<void(std::shared_ptr<Stream>)> on_arrival_;
};

}  // namespace millet::net
