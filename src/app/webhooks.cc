#include "app/webhooks.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/worker_thread.h"

namespace millet::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::size_t kMostWaiting = 1000;

struct Url {
  bool tls = false;
  std::string host, port, target;
};

std::optional<Url> parse_url(std::string_view url) {
  Url out;
  if (url.starts_with("https://")) out.tls = true, url.remove_prefix(8);
  else if (url.starts_with("http://")) url.remove_prefix(7);
  else return std::nullopt;
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.starts_with('[') && out.host.ends_with(']')) out.host = out.host.substr(1, out.host.size() - 2);
  if (out.host.empty()) return std::nullopt;
  return out;
}

}  // namespace

HttpAnswer send_http(const std::string& method, const std::string& url_text, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers, std::chrono::seconds timeout) {
  auto url = parse_url(url_text);
  if (!url) return {false, "error", fmt::format("'{}' is not an http:// or https:// URL", url_text), {}};
  try {
    asio::io_context io;
    http::request<http::string_body> request{http::string_to_verb(method), url->target, 11};
    if (request.method() == http::verb::unknown) return {false, "error", fmt::format("unknown method '{}'", method), {}};
    request.set(http::field::host, url->host);
    request.set(http::field::user_agent, "millet");
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty()) {
      request.set(http::field::content_type, body.front() == '{' || body.front() == '[' ? "application/json" : "text/plain");
      request.body() = body;
      request.prepare_payload();
    }
    http::response<http::string_body> response;
    beast::flat_buffer buffer;
    asio::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(url->host, url->port);
    if (url->tls) {
      asio::ssl::context context(asio::ssl::context::tls_client);
      context.set_default_verify_paths();
      context.set_verify_mode(asio::ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(io, context);
      SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());
      stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
      beast::get_lowest_layer(stream).expires_after(timeout);
      beast::get_lowest_layer(stream).connect(endpoints);
      stream.handshake(asio::ssl::stream_base::client);
      http::write(stream, request);
      http::read(stream, buffer, response);
    } else {
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);
      stream.connect(endpoints);
      http::write(stream, request);
      http::read(stream, buffer, response);
    }
    const unsigned status = response.result_int();
    const bool ok = status >= 200 && status < 300;
    return {ok, fmt::format("HTTP {}", status), ok ? std::string() : std::string(response.reason()),
            std::move(response.body())};
  } catch (const std::exception& e) {
    return {false, "error", e.what(), {}};
  }
}

automation::WebhookSender make_webhook_sender() {
  // Waiting webhooks are dropped at shutdown: each may take 10 s.
  auto worker = std::make_shared<WorkerThread>("webhooks", kMostWaiting, WorkerThread::AtExit::kDropWaiting);
  return [worker](const std::string& method, const std::string& url, const std::string& body,
                  std::function<void(automation::Outcome)> done) {
    auto job = [method, url, body, done] {
      HttpAnswer answer = send_http(method, url, body);
      automation::Outcome outcome{answer.ok, std::move(answer.status), std::move(answer.message)};
      if (!outcome.ok) spdlog::info("webhook {} {}: {} {}", method, url, outcome.status, outcome.message);
      done(std::move(outcome));
    };
    if (!worker->post(std::move(job))) {
      done({false, "error", fmt::format("{} webhooks are waiting already; this one was dropped", kMostWaiting)});
    }
  };
}

}  // namespace millet::app
