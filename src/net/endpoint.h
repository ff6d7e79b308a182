#pragma once
// Socket addresses: parsing "127.0.0.1" / "::1" with a port, and formatting.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

namespace millet::net {

struct Endpoint {
  std::string address;  // numeric, as given
  std::uint16_t port = 0;
  bool v6 = false;

  // "127.0.0.1:1883", "[::1]:1883"
  std::string to_string() const { return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port); }
};

// Fills `out` for a numeric IPv4 or IPv6 address; nullopt if it is not one.
std::optional<socklen_t> to_sockaddr(const std::string& address, std::uint16_t port, sockaddr_storage& out);

// The local address a socket is bound to.
Endpoint local_endpoint(int fd);

}  // namespace millet::net
