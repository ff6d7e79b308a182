#include "net/listener.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace millet::net {

Listener::Listener(ReactorPool& reactors, Reactor& home, ListenerOptions options, AcceptHandler on_accept, int fd)
    : reactors_(reactors), home_(home), options_(std::move(options)), on_accept_(std::move(on_accept)), fd_(fd) {}

Listener::~Listener() {
  if (fd_ >= 0) ::close(fd_);
}

Expected<std::unique_ptr<Listener>, std::string> Listener::open(ReactorPool& reactors, Reactor& home,
                                                                ListenerOptions options, AcceptHandler on_accept) {
  sockaddr_storage address{};
  const auto length = to_sockaddr(options.bind_address, options.port, address);
  if (!length) return unexpected("invalid bind address '" + options.bind_address + "' (a numeric IPv4 or IPv6 address)");
  const std::string where = Endpoint{options.bind_address, options.port, address.ss_family == AF_INET6}.to_string();
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return unexpected("cannot open a socket: " + std::string(std::strerror(errno)));
  std::unique_ptr<Listener> listener(new Listener(reactors, home, std::move(options), std::move(on_accept), fd));
  // SO_REUSEADDR lets a restarted millet bind while old connections sit in
  // TIME_WAIT; unlike SO_REUSEPORT it does not let two processes share a port.
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), *length) != 0) {
    return unexpected("cannot listen on " + where + " (" + listener->options_.name + "): " + std::strerror(errno));
  }
  if (::listen(fd, SOMAXCONN) != 0) return unexpected("cannot listen on " + where + ": " + std::strerror(errno));
  listener->endpoint_ = local_endpoint(fd);
  return listener;
}

void Listener::start() {
  home_.post([this] {
    if (fd_ < 0) return;
    if (!home_.add(fd_, EPOLLIN, this)) {
      spdlog::error("{} listener: cannot watch its socket: {}", options_.name, std::strerror(errno));
      return;
    }
    accept_all();
  });
}

void Listener::stop() {
  home_.post([this] {
    if (fd_ < 0) return;
    home_.remove(fd_);
    ::close(fd_);
    fd_ = -1;
  });
}

void Listener::on_io(std::uint32_t) { accept_all(); }

void Listener::accept_all() {
  while (fd_ >= 0) {
    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // Typically "too many open files": try again shortly instead of spinning.
      if (accept_failures_++ % 100 == 0) {
        spdlog::warn("{} listener: accept failed: {}; retrying every 100 ms", options_.name, std::strerror(errno));
      }
      if (!retry_scheduled_) {
        retry_scheduled_ = true;
        home_.after(std::chrono::milliseconds(100), [this] {
          retry_scheduled_ = false;
          accept_all();
        });
      }
      return;
    }
    Reactor& target = reactors_.at(next_reactor_);
    next_reactor_ = (next_reactor_ + 1) % reactors_.size();
    auto layers = options_.make_layers ? options_.make_layers() : std::vector<std::unique_ptr<Layer>>{};
    if (&target == &home_) {
      on_accept_(std::make_shared<Stream>(target, client, std::move(layers)));
      continue;
    }
    auto carried = std::make_shared<std::vector<std::unique_ptr<Layer>>>(std::move(layers));
    target.post([this, &target, client, carried] {
      on_accept_(std::make_shared<Stream>(target, client, std::move(*carried)));
    });
  }
}

namespace {

// Waits for a non-blocking connect to finish.
class PendingConnect final : public IoHandler {
 public:
  PendingConnect(Reactor& reactor, int fd, std::function<void(Expected<std::shared_ptr<Stream>, std::string>)> done)
      : reactor_(reactor), fd_(fd), done_(std::move(done)) {}

  void on_io(std::uint32_t) override {
    if (!done_) return;
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error == EINPROGRESS) return;
    reactor_.remove(fd_);
    auto done = std::move(done_);
    done_ = nullptr;
    if (error != 0) {
      ::close(fd_);
      done(unexpected(std::string(std::strerror(error))));
    } else {
      done(std::make_shared<Stream>(reactor_, fd_, std::vector<std::unique_ptr<Layer>>{}));
    }
    reactor_.post([self = this] { delete self; });
  }

 private:
  Reactor& reactor_;
  int fd_;
  std::function<void(Expected<std::shared_ptr<Stream>, std::string>)> done_;
};

}  // namespace

void connect(Reactor& reactor, const std::string& address, std::uint16_t port, const std::string& source,
             std::function<void(Expected<std::shared_ptr<Stream>, std::string>)> done) {
  using Result = Expected<std::shared_ptr<Stream>, std::string>;
  sockaddr_storage target{};
  const auto length = to_sockaddr(address, port, target);
  if (!length) {
    done(Result(unexpected("invalid address '" + address + "'")));
    return;
  }
  const int fd = ::socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    done(Result(unexpected(std::string(std::strerror(errno)))));
    return;
  }
  if (!source.empty()) {
    sockaddr_storage local{};
    const auto local_length = to_sockaddr(source, 0, local);
    const int one = 1;
    // Let connect() pick the port, so ports are reused per destination.
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (!local_length || ::bind(fd, reinterpret_cast<sockaddr*>(&local), *local_length) != 0) {
      const std::string why = "cannot bind to " + source + ": " + std::strerror(errno);
      ::close(fd);
      done(Result(unexpected(why)));
      return;
    }
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&target), *length) == 0) {
    done(Result(std::make_shared<Stream>(reactor, fd, std::vector<std::unique_ptr<Layer>>{})));
    return;
  }
  if (errno != EINPROGRESS) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    done(Result(unexpected(why)));
    return;
  }
  auto* pending = new PendingConnect(reactor, fd, std::move(done));
  if (!reactor.add(fd, EPOLLOUT, pending)) {
    delete pending;
    ::close(fd);
  }
}

}  // namespace millet::net
