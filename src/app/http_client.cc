#include "app/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace millet::app {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

Expected<HttpClient, std::string> HttpClient::for_server(std::string_view server) {
  std::string_view rest = server;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return unexpected(fmt::format("'{}': only http:// servers are supported", server));
  }
  rest = rest.substr(0, rest.find('/'));
  const std::size_t colon = rest.rfind(':');
  HttpClient client;
  client.server_ = "http://" + std::string(rest);
  client.host_ = std::string(rest.substr(0, colon));
  client.port_ = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (client.host_.empty()) return unexpected(fmt::format("'{}' is not a server address (http://host:port)", server));
  return client;
}

Expected<HttpResult, std::string> HttpClient::request(std::string_view method, std::string_view target,
                                                      const boost::json::value* body) const {
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(60));
    stream.connect(resolver.resolve(host_, port_));
    http::request<http::string_body> request(http::string_to_verb(method), std::string(target), 11);
    request.set(http::field::host, host_ + ":" + port_);
    request.set(http::field::user_agent, "millet-cli");
    if (!token_.empty()) request.set(http::field::authorization, "Bearer " + token_);
    if (body) {
      request.set(http::field::content_type, "application/json");
      request.body() = boost::json::serialize(*body);
    }
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 << 20);
    http::read(stream, buffer, parser);
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    HttpResult result;
    result.status = static_cast<int>(parser.get().result_int());
    result.text = std::move(parser.get().body());
    boost::system::error_code error;
    if (!result.text.empty()) result.body = boost::json::parse(result.text, error);
    if (error) result.body = nullptr;
    return result;
  } catch (const std::exception& e) {
    return unexpected(fmt::format("cannot reach millet at {}: {} (is `millet serve` running? say where with --server)",
                                  server_, e.what()));
  }
}

std::string error_text(const HttpResult& result) {
  if (result.body.is_object()) {
    const auto& o = result.body.get_object();
    if (const auto* message = o.if_contains("message"); message && message->is_string()) {
      return std::string(message->get_string());
    }
  }
  return fmt::format("the server answered {}", result.status);
}

}  // namespace millet::app
