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
  bool is_open() const { return state_ == State::kOpen || state_ == State::kMigrating; }

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
  // Stops reading while more than `bytes` wait to be written (0: no limit), so
  // a peer that sends but does not read cannot make the server buffer without end.
  void set_max_backlog(std::size_t bytes) { max_backlog_ = bytes; }
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

  // Called by the reactor at the end of a round.
  void flush_now();

 private:
  enum class State { kOpen, kMigrating, kClosing, kClosed };

  bool reading_allowed() const { return state_ == State::kOpen && !reading_paused_ && !backlog_paused_; }
  void wait_readable();
  void on_readable();
  void deliver(ByteSpan bytes);
  void write_goodbyes();
  void close_now();
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
  bool reading_paused_ = false;  // by the handler
  bool backlog_paused_ = false;  // by the stream: too much output waiting
  std::size_t max_backlog_ = 0;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
  bool flush_scheduled_ = false;
  bool notify_drained_ = false;
  std::uint64_t bytes_written_ = 0;
  Reactor* migration_target_ = nullptr;
  std::function<void(std::shared_ptr<Stream>)> on_arrival_;
};

}  // namespace millet::net
