#pragma once
// Listener: accepts TCP connections on one address and hands each to a
// reactor, round-robin, as a Stream with the listener's layers (none for plain
// MQTT; TLS; WebSocket; TLS then WebSocket).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/expected.h"
#include "net/endpoint.h"
#include "net/layer.h"
#include "net/reactor.h"
#include "net/stream.h"

namespace millet::net {

struct ListenerOptions {
  std::string name;          // "mqtt", "ws", ... for the log
  std::string bind_address;  // numeric: "127.0.0.1", "0.0.0.0", "::"
  std::uint16_t port = 0;    // 0 picks a free port
  // Makes the layers for each new connection, bottom (socket side) first.
  std::function<std::vector<std::unique_ptr<Layer>>()> make_layers;
};

class Listener final : public IoHandler {
 public:
  // Called on the new stream's reactor thread.
  using AcceptHandler = std::function<void(std::shared_ptr<Stream>)>;

  // Binds and listens, or says why it cannot (address in use, bad address...).
  static Expected<std::unique_ptr<Listener>, std::string> open(ReactorPool& reactors, Reactor& home,
                                                               ListenerOptions options,
                                                               AcceptHandler on_accept);
  ~Listener() override;

  const ListenerOptions& options() const { return options_; }
  const Endpoint& endpoint() const { return endpoint_; }

  // Starts accepting; stop() closes the listening socket. Both may be called
  // from any thread (they run on the home reactor). After stop(), the listener
  // may be destroyed once the home reactor has run the stop or been stopped.
  void start();
  void stop();

  void on_io(std::uint32_t events) override;

 private:
  Listener(ReactorPool& reactors, Reactor& home, ListenerOptions options, AcceptHandler on_accept, int fd);
  void accept_all();

  ReactorPool& reactors_;
  Reactor& home_;
  ListenerOptions options_;
  AcceptHandler on_accept_;
  int fd_;
  Endpoint endpoint_;
  std::size_t next_reactor_ = 0;
  bool retry_scheduled_ = false;
  std::size_t accept_failures_ = 0;
};

// Connects to address:port from the reactor's thread (optionally from a given
// local address, port chosen by the kernel), and calls `done` there with the
// connected stream (not started) or the reason it failed.
void connect(Reactor& reactor, const std::string& address, std::uint16_t port, const std::string& source,
             std::function<void(Expected<std::shared_ptr<Stream>, std::string>)> done);

}  // namespace millet::net
