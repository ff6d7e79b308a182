#include "net/stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "base/assert.h"

namespace millet::net {
namespace {

// One read buffer per reactor thread, shared by all its streams: a stream only
// keeps bytes of its own when a packet is incomplete. Bytes handed to a handler
// from it are valid until the next read on this thread.
constexpr std::size_t kScratchSize = 64 * 1024;
thread_local std::array<std::byte, kScratchSize> scratch;

// Reads per readiness before yielding to the reactor's other streams.
constexpr int kReadsPerTurn = 8;

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

}  // namespace

std::string PeerAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = "unknown";
  if (family == AF_INET) {
    inet_ntop(AF_INET, bytes, text, sizeof text);
    return std::string(text) + ":" + std::to_string(port);
  }
  if (family == AF_INET6) {
    inet_ntop(AF_INET6, bytes, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port);
  }
  return text;
}

PeerAddress PeerAddress::of_socket(int fd) {
  PeerAddress peer;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return peer;
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    peer.family = AF_INET;
    std::memcpy(peer.bytes, &v4.sin_addr, 4);
    peer.port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    peer.family = AF_INET6;
    std::memcpy(peer.bytes, &v6.sin6_addr, 16);
    peer.port = ntohs(v6.sin6_port);
  }
  return peer;
}

Stream::Stream(Reactor& reactor, int fd, std::vector<std::unique_ptr<Layer>> layers)
    : reactor_(&reactor), fd_(fd), peer_(PeerAddress::of_socket(fd)) {
  if (!layers.empty()) {
    layers_ = std::make_unique<Layers>();
    layers_->list = std::move(layers);
  }
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Stream::~Stream() {
  if (fd_ >= 0) {
    if (registered_) reactor_->remove(fd_);
    ::close(fd_);
  }
}

// --- reading -------------------------------------------------------------------

void Stream::start(StreamHandler* handler) {
  handler_ = handler;
  reading_paused_ = false;
  if (!registered_) {
    if (!reactor_->add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP, this)) {
      fail(std::string("cannot watch the socket: ") + std::strerror(errno));
      return;
    }
    registered_ = true;
    // Edge-triggered registration reports data that is already there; a fresh
    // socket is writable until a write says otherwise.
    writable_ = true;
  }
  auto self = shared_from_this();
  if (!input_.empty() && handler_) {
    // Bytes that came with the stream from another reactor.
    const std::size_t consumed = handler_->on_stream_data(input_.readable());
    if (state_ != State::kOpen) return;
    input_.consume(consumed);
    input_.release_if_empty();
  }
  if (backlog() > 0) flush_soon();  // output that came along
  read_available();  // only if readiness is known and unused
}

void Stream::on_io(std::uint32_t events) {
  if (state_ != State::kOpen) return;  // closed or leaving: the event is stale
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    readable_ = true;
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) hung_up_ = true;
    read_available();
  }
  if (state_ != State::kOpen) return;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
    writable_ = true;
    if (backlog() > 0) flush_soon();
  }
}

void Stream::pause_reading() { reading_paused_ = true; }

void Stream::resume_reading() {
  if (!reading_paused_) return;
  reading_paused_ = false;
  if (readable_ && reading_allowed()) reactor_->continue_reading(this);
}

void Stream::read_available() {
  if (!readable_ || !reading_allowed()) return;
  auto self = shared_from_this();
  for (int i = 0; i < kReadsPerTurn; ++i) {
    const ssize_t count = ::recv(fd_, scratch.data(), scratch.size(), 0);
    if (count < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) {
        readable_ = false;
        return;
      }
      fail(std::strerror(errno));
      return;
    }
    if (count == 0) {
      fail("connection closed by peer");
      return;
    }
    deliver(ByteSpan(scratch.data(), static_cast<std::size_t>(count)));
    if (state_ == State::kOpen && max_backlog_ && backlog() > max_backlog_) {
      backlog_paused_ = true;  // resumed by flush_now once the peer has read
      flush_soon();
    }
    if (!reading_allowed()) return;
    if (static_cast<std::size_t>(count) < scratch.size() && !hung_up_) {
      // Drained for now; edge-triggered epoll reports whatever arrives next.
      // (After a hang-up no more edges come: read on to the end of stream.)
      readable_ = false;
      return;
    }
  }
  reactor_->continue_reading(this);  // more to read: after the others had their turn
}

void Stream::read_pending_input() {
  // Its own buffer: the caller may be holding bytes of the shared scratch.
  ByteBuffer buffer;
  while (reading_allowed()) {
    auto space = buffer.prepare(kScratchSize);
    const ssize_t count = ::recv(fd_, space.data(), space.size(), 0);
    if (count < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) return;
      fail(std::strerror(errno));
      return;
    }
    if (count == 0) {
      fail("connection closed by peer");
      return;
    }
    buffer.commit(static_cast<std::size_t>(count));
    deliver(buffer.readable());
    buffer.clear();
  }
}

void Stream::deliver(ByteSpan bytes) {
  if (layers_) {
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
  auto& layers = layers_->list;
  ByteBuffer carried;
  ByteSpan in = bytes;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const bool top = i + 1 == layers.size();
    ByteBuffer up;
    ByteBuffer down;
    const bool ok = layers[i]->decode(in, top ? input_ : up, down);
    if (!down.empty()) send_down(i, down.readable());
    if (!ok) {
      fail(layers[i]->error());
      return;
    }
    if (layers[i]->finished()) {
      fail(layers[i]->error().empty() ? "the peer ended the session" : layers[i]->error());
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
    layers_->list[j]->encode(data, next);
    encoded = std::move(next);
    data = encoded.readable();
  }
  layers_->wire_output.append(data);
  flush_soon();
}

void Stream::encode_output() {
  if (output_.empty()) return;
  send_down(layers_->list.size(), output_.readable());
  output_.clear();
  output_.release_if_empty();
}

void Stream::write_goodbyes() {
  if (!layers_) return;
  encode_output();
  for (std::size_t i = layers_->list.size(); i-- > 0;) {
    ByteBuffer goodbye;
    layers_->list[i]->encode_close(goodbye);
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
  if (closing) {
    write_goodbyes();
  } else if (layers_) {
    encode_output();
  }
  ByteBuffer& out = layers_ ? layers_->wire_output : output_;
  while (!out.empty() && (writable_ || closing)) {
    const ByteSpan pending = out.readable();
    const ssize_t written = ::send(fd_, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (written < 0) {
      if (errno == EINTR) continue;
      if (closing) break;  // one attempt, no waiting: a peer that does not read loses the rest
      if (would_block(errno)) {
        writable_ = false;  // EPOLLOUT brings us back
        return;
      }
      fail(std::strerror(errno));
      return;
    }
    out.consume(static_cast<std::size_t>(written));
    bytes_written_ += static_cast<std::uint64_t>(written);
  }
  if (closing) {
    close_now();
    return;
  }
  if (!out.empty()) return;
  out.release_if_empty();
  if (backlog_paused_) {
    backlog_paused_ = false;
    if (readable_ && reading_allowed()) reactor_->continue_reading(this);
  }
  if (notify_drained_ && handler_) {
    notify_drained_ = false;
    handler_->on_stream_drained();
  }
}

// --- closing -------------------------------------------------------------------

void Stream::close(bool flush) {
  if (state_ == State::kClosed) return;
  handler_ = nullptr;
  migration_.reset();  // a stream closed while moving never arrives
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
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  handler_ = nullptr;
  migration_.reset();
  if (registered_) {
    reactor_->remove(fd_);
    registered_ = false;
  }
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
  fd_ = -1;
  input_ = ByteBuffer();
  output_ = ByteBuffer();
  layers_.reset();
  reactor_->retire(shared_from_this());  // events for it may follow in this turn's batch
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
  migration_ = std::make_unique<Migration>(Migration{&target, std::move(on_arrival)});
  flush_soon();  // the move happens in flush_now, at the end of the round
}

void Stream::finish_migration() {
  if (registered_) {
    reactor_->remove(fd_);
    registered_ = false;
  }
  Reactor* target = migration_->target;
  target->post([self = shared_from_this(), target] {
    if (self->state_ != State::kMigrating || !self->migration_) return;  // closed on the way
    self->reactor_ = target;
    self->state_ = State::kOpen;
    auto on_arrival = std::move(self->migration_->on_arrival);
    self->migration_.reset();
    if (on_arrival) on_arrival(self);
  });
}

}  // namespace millet::net
