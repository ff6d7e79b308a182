#include "net/stream.h"

#include <boost/asio/post.hpp>

#include <array>

#include "base/assert.h"
#include "net/reactor.h"

namespace millet::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// One read buffer per reactor thread, shared by all its streams: a stream only
// keeps bytes of its own when a packet is incomplete. Bytes handed to a handler
// from it are valid until the next read on this thread.
constexpr std::size_t kScratchSize = 64 * 1024;
thread_local std::array<std::byte, kScratchSize> scratch;

// Reads per wake-up before yielding to the reactor's other streams.
constexpr int kReadsPerTurn = 8;

std::string format_endpoint(const tcp::socket& socket) {
  boost::system::error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  if (error) return "unknown";
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

bool would_block(const boost::system::error_code& error) {
  return error == asio::error::would_block || error == asio::error::try_again;
}

}  // namespace

Stream::Stream(Reactor& reactor, tcp::socket socket, std::vector<std::unique_ptr<Layer>> layers)
    : reactor_(&reactor), socket_(std::move(socket)), layers_(std::move(layers)) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.set_option(tcp::no_delay(true), ignored);
  remote_address_ = format_endpoint(socket_);
}

Stream::~Stream() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

// --- reading -------------------------------------------------------------------

void Stream::start(StreamHandler* handler) {
  handler_ = handler;
  reading_paused_ = false;
  if (!input_.empty() && handler_) {
    // Bytes that came with the stream from another reactor.
    auto self = shared_from_this();
    const std::size_t consumed = handler_->on_stream_data(input_.readable());
    if (state_ != State::kOpen) return;
    input_.consume(consumed);
    input_.release_if_empty();
  }
  if (backlog() > 0) flush_soon();  // output that came along
  if (!read_waiting_) on_readable();
}

void Stream::pause_reading() { reading_paused_ = true; }

void Stream::resume_reading() {
  if (!reading_paused_) return;
  reading_paused_ = false;
  if (reading_allowed() && !read_waiting_) {
    read_waiting_ = true;
    reactor_->post([self = shared_from_this()] {
      self->read_waiting_ = false;
      self->on_readable();
    });
  }
}

void Stream::wait_readable() {
  read_waiting_ = true;
  // Asio re-arms the descriptor for this wait, so bytes already in the kernel
  // buffer complete it at once; the edge-triggered registration loses nothing.
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& error) {
    // On error the wait was cancelled, possibly because the stream moved to
    // another reactor: touch nothing.
    if (error) return;
    self->read_waiting_ = false;
    self->on_readable();
  });
}

void Stream::on_readable() {
  if (!reading_allowed()) return;
  auto self = shared_from_this();
  for (int i = 0; i < kReadsPerTurn; ++i) {
    boost::system::error_code error;
    const std::size_t count = socket_.read_some(asio::buffer(scratch.data(), scratch.size()), error);
    if (would_block(error)) {
      wait_readable();
      return;
    }
    if (error) {
      fail(error == asio::error::eof ? "connection closed by peer" : error.message());
      return;
    }
    deliver(ByteSpan(scratch.data(), count));
    if (state_ == State::kOpen && max_backlog_ && backlog() > max_backlog_) {
      backlog_paused_ = true;  // resumed by flush_now once the peer has read
      flush_soon();
    }
    if (!reading_allowed()) return;
    if (count < scratch.size()) {
      wait_readable();
      return;
    }
  }
  // Still more to read: let the reactor's other streams have a turn first.
  read_waiting_ = true;
  reactor_->post([self] {
    self->read_waiting_ = false;
    self->on_readable();
  });
}

void Stream::read_pending_input() {
  // Its own buffer: the caller may be holding bytes of the shared scratch.
  ByteBuffer buffer;
  while (reading_allowed()) {
    auto space = buffer.prepare(kScratchSize);
    boost::system::error_code error;
    const std::size_t count = socket_.read_some(asio::buffer(space.data(), space.size()), error);
    if (would_block(error)) return;  // a pending wait, if any, stays armed
    if (error) {
      fail(error == asio::error::eof ? "connection closed by peer" : error.message());
      return;
    }
    buffer.commit(count);
    deliver(buffer.readable());
    buffer.clear();
  }
}

void Stream::deliver(ByteSpan bytes) {
  if (!layers_.empty()) {
    decode_through_layers(bytes);
    if (state_ != State::kOpen) return;
  } else if (input_.empty()) {
    // The common case: whole packets straight from the read buffer.
    const std::size_t consumed = handler_ ? handler_->on_stream_data(bytes) : 0;
    if (state_ == State::kClosing || state_ == State::kClosed) return;
    input_.append(bytes.subspan(consumed));  // kept, also when moving to another reactor
    return;
  } else {
    input_.append(bytes);
  }
  if (input_.empty() || !handler_) return;
  const std::size_t consumed = handler_->on_stream_data(input_.readable());
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  input_.consume(consumed);
  input_.release_if_empty();
}

void Stream::decode_through_layers(ByteSpan bytes) {
  ByteBuffer carried;
  ByteSpan in = bytes;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const bool top = i + 1 == layers_.size();
    ByteBuffer up;
    ByteBuffer down;
    const bool ok = layers_[i]->decode(in, top ? input_ : up, down);
    if (!down.empty()) send_down(i, down.readable());
    if (!ok) {
      fail(layers_[i]->error());
      return;
    }
    if (layers_[i]->finished()) {
      fail(layers_[i]->error().empty() ? "the peer ended the session" : layers_[i]->error());
      return;
    }
    if (top) break;
    carried = std::move(up);
    in = carried.readable();
  }
}

// --- writing -------------------------------------------------------------------

void Stream::send_down(std::size_t from_layer, ByteSpan bytes) {
  ByteBuffer encoded;
  ByteSpan data = bytes;
  for (std::size_t j = from_layer; j-- > 0;) {
    ByteBuffer next;
    layers_[j]->encode(data, next);
    encoded = std::move(next);
    data = encoded.readable();
  }
  wire_output_.append(data);
  flush_soon();
}

void Stream::encode_output() {
  if (output_.empty()) return;
  send_down(layers_.size(), output_.readable());
  output_.clear();
  output_.release_if_empty();
}

void Stream::write_goodbyes() {
  if (layers_.empty()) return;
  encode_output();
  for (std::size_t i = layers_.size(); i-- > 0;) {
    ByteBuffer goodbye;
    layers_[i]->encode_close(goodbye);
    if (!goodbye.empty()) send_down(i, goodbye.readable());
  }
}

void Stream::flush_soon() {
  if (flush_scheduled_ || state_ == State::kClosed) return;
  flush_scheduled_ = true;
  reactor_->schedule_flush(this);
}

void Stream::flush_now() {
  flush_scheduled_ = false;
  if (state_ == State::kClosed) return;
  if (state_ == State::kMigrating) {
    finish_migration();  // unwritten output travels along
    return;
  }
  const bool closing = state_ == State::kClosing;
  if (write_waiting_ && !closing) return;  // the pending wait will flush
  if (closing) {
    write_goodbyes();
  } else if (!layers_.empty()) {
    encode_output();
  }
  ByteBuffer& out = layers_.empty() ? output_ : wire_output_;
  while (!out.empty()) {
    boost::system::error_code error;
    const ByteSpan pending = out.readable();
    const std::size_t written = socket_.write_some(asio::buffer(pending.data(), pending.size()), error);
    if (closing && error) break;  // one attempt, no waiting: a peer that does not read loses the rest
    if (would_block(error)) {
      wait_writable();
      return;
    }
    if (error) {
      fail(error.message());
      return;
    }
    out.consume(written);
    bytes_written_ += written;
  }
  if (closing) {
    close_now();
    return;
  }
  out.release_if_empty();
  if (backlog_paused_) {
    backlog_paused_ = false;
    if (reading_allowed() && !read_waiting_) on_readable();
  }
  if (notify_drained_ && handler_) {
    notify_drained_ = false;
    handler_->on_stream_drained();
  }
}

void Stream::wait_writable() {
  write_waiting_ = true;
  socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](const boost::system::error_code& error) {
    if (error) return;  // cancelled: closed or moved; touch nothing
    self->write_waiting_ = false;
    self->flush_now();
  });
}

// --- closing -------------------------------------------------------------------

void Stream::close(bool flush) {
  if (state_ == State::kClosed) return;
  handler_ = nullptr;
  on_arrival_ = nullptr;  // a stream closed while moving never arrives
  if (!flush) {
    close_now();
    return;
  }
  if (state_ == State::kClosing) return;
  state_ = State::kClosing;
  // The socket is written at the end of the round, after the store.
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    reactor_->schedule_flush(this);
  }
}

void Stream::close_now() {
  state_ = State::kClosed;
  handler_ = nullptr;
  on_arrival_ = nullptr;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  input_ = ByteBuffer();
  output_ = ByteBuffer();
  wire_output_ = ByteBuffer();
}

void Stream::fail(std::string_view reason) {
  if (state_ == State::kClosed || state_ == State::kClosing) return;
  StreamHandler* handler = handler_;
  const std::string why(reason);
  close(/*flush=*/true);
  if (handler) handler->on_stream_closed(why);
}

// --- moving to another reactor ---------------------------------------------------

void Stream::migrate(Reactor& target, std::function<void(std::shared_ptr<Stream>)> on_arrival) {
  MILLET_ASSERT(state_ == State::kOpen, "migrate an open stream");
  state_ = State::kMigrating;
  handler_ = nullptr;
  migration_target_ = &target;
  on_arrival_ = std::move(on_arrival);
  flush_soon();  // the move happens in flush_now, at the end of the round
}

void Stream::finish_migration() {
  boost::system::error_code error;
  const auto protocol = socket_.local_endpoint(error).protocol();
  const auto fd = error ? -1 : socket_.release(error);
  if (error || fd < 0) {
    state_ = State::kOpen;
    fail("cannot move the connection to another reactor: " + error.message());
    return;
  }
  // release() cancelled any pending wait; its handler touches nothing.
  read_waiting_ = false;
  write_waiting_ = false;
  Reactor* target = migration_target_;
  migration_target_ = nullptr;
  target->post([self = shared_from_this(), target, protocol, fd] {
    self->socket_ = tcp::socket(target->io(), protocol, fd);
    boost::system::error_code ignored;
    self->socket_.non_blocking(true, ignored);  // Asio's flag does not travel with the descriptor
    self->reactor_ = target;
    self->state_ = State::kOpen;
    auto on_arrival = std::move(self->on_arrival_);
    self->on_arrival_ = nullptr;
    if (on_arrival) on_arrival(self);
  });
}

}  // namespace millet::net
