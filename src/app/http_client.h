#pragma once
// A small blocking HTTP/1.1 client (Boost.Beast) for the command line's calls
// to a running millet's API.

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

#include "base/expected.h"

namespace millet::app {

struct HttpResult {
  int status = 0;
  boost::json::value body;  // null when the body is empty or not JSON
  std::string text;         // the body as received
};

class HttpClient {
 public:
  // `server`: "http://host:port" (a trailing path is ignored).
  static Expected<HttpClient, std::string> for_server(std::string_view server);

  void set_token(std::string token) { token_ = std::move(token); }
  const std::string& server() const { return server_; }

  // Sends a request with an optional JSON body; fails only when the server
  // cannot be reached or answers something that is not HTTP.
  Expected<HttpResult, std::string> request(std::string_view method, std::string_view target,
                                            const boost::json::value* body = nullptr) const;

 private:
  std::string server_;
  std::string host_;
  std::string port_;
  std::string token_;
};

// The message of an API error body ({"error", "message"}), or the status.
std::string error_text(const HttpResult& result);

}  // namespace millet::app
