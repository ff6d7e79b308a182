#pragma once
// Listener: accepts TCP connections on one address and hands each to a
// reactor, round-robin, as a Stream with the listener's layers (none for plain
// MQTT; TLS; WebSocket; TLS then WebSocket).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/expected.h"
#include "net/layer.h"
#include "net/reactor.h"
#include "net/stream.h"

namespace millet::net {

struct ListenerOptions {
  std::string name;          // "mqtt", "ws", ... for the log
  std::string bind_address;  // e.g. "127.0.0.1", "0.0.0.0", "::"
  std::uint16_t port = 0;    // 0 picks a free port
  // Makes the layers for each new connection, bottom (socket side) first.
  std::function<std::vector<std::unique_ptr<Layer>>()> make_layers;
};

class Listener {
 public:
  // Called on the new stream's reactor thread.
  using AcceptHandler = std::function<void(std::shared_ptr<Stream>)>;

  // Binds and listens, or says why it cannot (address in use, bad address...).
  static Expected<std::unique_ptr<Listener>, std::string> open(ReactorPool& reactors, Reactor& home,
                                                               ListenerOptions options,
                                                               AcceptHandler on_accept);
  ~Listener();

  const ListenerOptions& options() const { return options_; }
  boost::asio::ip::tcp::endpoint endpoint() const { return endpoint_; }

  // Starts accepting; stop() closes the listening socket. Both are safe to call
  // from any thread (they run on the home reactor).
  void start();
  void stop();

 private:
  Listener(ReactorPool& reactors, Reactor& home, ListenerOptions options, AcceptHandler on_accept);
  void accept_next();

  ReactorPool& reactors_;
  Reactor& home_;
  ListenerOptions options_;
  AcceptHandler on_accept_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::size_t next_reactor_ = 0;
};

}  // namespace millet::net
