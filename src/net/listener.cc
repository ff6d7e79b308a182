#include "net/listener.h"

#include <spdlog/spdlog.h>

namespace millet::net {
namespace {
namespace asio = boost::asio;
using asio::ip::tcp;
}  // namespace

Listener::Listener(ReactorPool& reactors, Reactor& home, ListenerOptions options, AcceptHandler on_accept)
    : reactors_(reactors),
      home_(home),
      options_(std::move(options)),
      on_accept_(std::move(on_accept)),
      acceptor_(home.io()),
      retry_timer_(home.io()) {}

Listener::~Listener() = default;

Expected<std::unique_ptr<Listener>, std::string> Listener::open(ReactorPool& reactors, Reactor& home,
                                                                ListenerOptions options, AcceptHandler on_accept) {
  boost::system::error_code error;
  const auto address = asio::ip::make_address(options.bind_address, error);
  if (error) return unexpected("invalid bind address '" + options.bind_address + "': " + error.message());
  std::unique_ptr<Listener> listener(new Listener(reactors, home, std::move(options), std::move(on_accept)));
  const tcp::endpoint endpoint(address, listener->options_.port);
  auto& acceptor = listener->acceptor_;
  const std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  acceptor.open(endpoint.protocol(), error);
  if (error) return unexpected("cannot open a socket: " + error.message());
  // SO_REUSEADDR lets a restarted millet bind while old connections sit in
  // TIME_WAIT; unlike SO_REUSEPORT it does not let two processes share a port.
  acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  acceptor.bind(endpoint, error);
  if (error) {
    return unexpected("cannot listen on " + where + " (" + listener->options_.name + "): " + error.message());
  }
  acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return unexpected("cannot listen on " + where + ": " + error.message());
  }
  listener->endpoint_ = acceptor.local_endpoint(error);
  return listener;
}

void Listener::start() {
  home_.post([this] { accept_next(); });
}

void Listener::stop() {
  home_.post([this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
}

void Listener::accept_next() {
  Reactor& target = reactors_.at(next_reactor_);
  next_reactor_ = (next_reactor_ + 1) % reactors_.size();
  // The new socket belongs to the target reactor's context from the start.
  acceptor_.async_accept(target.io(), [this, &target](const boost::system::error_code& error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (error) {
      // Typically "too many open files": wait instead of spinning on accept.
      spdlog::warn("{} listener: accept failed: {}; retrying in 100 ms", options_.name, error.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([this](const boost::system::error_code& e) {
        if (!e) accept_next();
      });
      return;
    }
    auto layers = options_.make_layers ? options_.make_layers() : std::vector<std::unique_ptr<Layer>>{};
    target.post([this, &target, socket = std::make_shared<tcp::socket>(std::move(socket)),
                 layers = std::make_shared<std::vector<std::unique_ptr<Layer>>>(std::move(layers))]() mutable {
      auto stream = std::make_shared<Stream>(target, std::move(*socket), std::move(*layers));
      on_accept_(std::move(stream));
    });
    accept_next();
  });
}

}  // namespace millet::net
