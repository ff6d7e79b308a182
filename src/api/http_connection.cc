#include "api/http_connection.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "net/websocket_layer.h"

namespace millet::api {
namespace {

namespace http = boost::beast::http;

using Parser = http::request_parser<http::string_body>;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ('+' is a space in a query); nullopt for a broken escape.
std::optional<std::string> url_decode(std::string_view text, bool query) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int high = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && query) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string_view reason_phrase(int status) {
  return http::obsolete_reason(static_cast<http::status>(status));
}

}  // namespace

std::string_view Request::param(std::string_view name, std::string_view fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : std::string_view(it->second);
}

Response error_response(int status, std::string_view code, std::string_view message) {
  return Response{status, boost::json::serialize(boost::json::object{{"error", code}, {"message", message}}) + "\n"};
}

void Responder::send(Response response) const {
  reactor_->post([connection = connection_, response = std::move(response)]() mutable {
    if (auto alive = connection.lock()) alive->deliver(std::move(response));
  });
}

// The request being read; kept while its bytes trickle in.
struct HttpConnection::ParserState {
  Parser parser;
};

HttpConnection::HttpConnection(std::shared_ptr<net::Stream> stream, RequestHandler& handler)
    : stream_(std::move(stream)), handler_(handler) {}
HttpConnection::~HttpConnection() = default;

void HttpConnection::start(std::shared_ptr<net::Stream> stream, RequestHandler& handler) {
  std::shared_ptr<HttpConnection> connection(new HttpConnection(stream, handler));
  stream->set_max_backlog(kMaxEventBacklog * 2);
  stream->start(connection.get());
  handler.adopt(std::move(connection));
}

std::size_t HttpConnection::on_stream_data(ByteSpan data) {
  if (mode_ == Mode::kDraining) {
    drained_ += data.size();
    if (drained_ > 64 * kMaxBody) finish();
    return data.size();
  }
  input_.append(data);
  if (mode_ == Mode::kWebSocket) {
    process_frames();
  } else {
    process();
  }
  // Requests queued behind a slow answer: stop reading past a limit.
  if (input_.size() > kMaxBody + kMaxHeader) stream_->pause_reading();
  return data.size();
}

void HttpConnection::process() {
  while (mode_ == Mode::kHttp && !busy_ && !input_.empty()) {
    if (!parser_) {
      parser_ = std::make_unique<ParserState>();
      parser_->parser.body_limit(kMaxBody);
      parser_->parser.header_limit(kMaxHeader);
      parser_->parser.eager(true);
    }
    Parser& parser = parser_->parser;
    boost::beast::error_code error;
    const ByteSpan bytes = input_.readable();
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), error);
    input_.consume(used);
    if (error == http::error::need_more) {
      input_.release_if_empty();
      return;
    }
    if (error) {
      parser_.reset();
      if (error == http::error::body_limit) {
        return refuse_and_drain(413, "too_large", "the request body is larger than 1 MiB");
      }
      if (error == http::error::header_limit) return fail_request(431, "too_large", "the request header is too large");
      return fail_request(400, "bad_request", "malformed HTTP request: " + error.message());
    }
    if (!parser.is_done()) continue;
    http::request<http::string_body> message = parser.release();
    parser_.reset();

    Request request;
    request.method = std::string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    const std::size_t question = target.find('?');
    auto path = url_decode(target.substr(0, question), false);
    if (!path) return fail_request(400, "bad_request", "malformed URL");
    request.path = std::move(*path);
    if (question != std::string_view::npos) {
      std::string_view rest = target.substr(question + 1);
      while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view item = rest.substr(0, amp);
        const std::size_t equals = item.find('=');
        auto key = url_decode(item.substr(0, equals), true);
        auto value = url_decode(equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1), true);
        if (!key || !value) return fail_request(400, "bad_request", "malformed URL query");
        if (!key->empty()) request.query[std::move(*key)] = std::move(*value);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      }
    }
    request.authorization = std::string(message[http::field::authorization]);
    request.content_type = std::string(message[http::field::content_type]);
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    busy_ = true;
    if (boost::beast::websocket::is_upgrade(message)) {
      request.websocket_upgrade = true;
      request.websocket_key = std::string(message[http::field::sec_websocket_key]);
      request.websocket_version = std::string(message[http::field::sec_websocket_version]);
      if (request.websocket_version != "13" || request.websocket_key.size() != 24) {
        busy_ = false;
        return fail_request(400, "bad_request", "a WebSocket upgrade needs version 13 and a Sec-WebSocket-Key");
      }
      auto refused = handler_.accept_websocket(request, shared_from_this());
      if (refused) {
        write_response(*refused, false);
        return;
      }
      std::string answer =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: " + net::WebSocketLayer::accept_key(request.websocket_key) + "\r\n\r\n";
      stream_->output().append(std::string_view(answer));
      stream_->flush_soon();
      mode_ = Mode::kWebSocket;
      busy_ = false;
      process_frames();
      return;
    }
    handler_.handle(request, Responder(weak_from_this(), stream_->reactor()));
  }
}

void HttpConnection::process_frames() {
  namespace op = net::websocket_opcode;
  while (mode_ == Mode::kWebSocket && !input_.empty()) {
    const net::ClientFrame frame = net::parse_client_frame(input_.writable_data(), input_.size(), 64 << 10);
    if (frame.status == net::ClientFrame::Status::kNeedMore) return;
    if (frame.status == net::ClientFrame::Status::kError) {
      const std::byte code[2] = {std::byte(frame.close_code >> 8), std::byte(frame.close_code & 0xFF)};
      net::encode_websocket_frame(op::kClose, ByteSpan(code, 2), stream_->output());
      return finish();
    }
    switch (frame.opcode) {
      case op::kPing: net::encode_websocket_frame(op::kPong, frame.payload, stream_->output()); break;
      case op::kClose: net::encode_websocket_frame(op::kClose, frame.payload.first(std::min<std::size_t>(frame.payload.size(), 2)), stream_->output()); return finish();
      default: break;  // the stream is one-way: what the client sends is ignored
    }
    input_.consume(frame.size);
    stream_->flush_soon();
  }
  input_.release_if_empty();
}

void HttpConnection::send_text_frame(std::string_view text) {
  if (mode_ != Mode::kWebSocket) return;
  if (stream_->backlog() > kMaxEventBacklog) {
    ++lost_events_;
    return;
  }
  if (lost_events_) {
    const std::string notice = R"({"type":"lost","count":)" + std::to_string(lost_events_) + "}";
    net::encode_websocket_frame(net::websocket_opcode::kText, as_bytes(notice), stream_->output());
    lost_events_ = 0;
  }
  net::encode_websocket_frame(net::websocket_opcode::kText, as_bytes(text), stream_->output());
  stream_->flush_soon();
}

void HttpConnection::deliver(Response response) {
  if (mode_ != Mode::kHttp || !busy_) return;
  write_response(response, keep_alive_);
  busy_ = false;
  if (mode_ == Mode::kHttp) {
    stream_->resume_reading();
    process();
  }
}

void HttpConnection::write_response(const Response& response, bool keep_alive) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + std::string(reason_phrase(response.status)) +
                     "\r\nContent-Type: " + response.content_type +
                     "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
  bool cache_control = false;
  for (const auto& [name, value] : response.headers) {
    head += name + ": " + value + "\r\n";
    cache_control |= boost::beast::iequals(name, "Cache-Control");
  }
  if (!cache_control) head += "Cache-Control: no-store\r\n";
  head += keep_alive ? "\r\n" : "Connection: close\r\n\r\n";
  stream_->output().append(std::string_view(head));
  if (!response.head_only) stream_->output().append(std::string_view(response.body));
  stream_->flush_soon();
  if (!keep_alive) finish();
}

void HttpConnection::fail_request(int status, std::string_view code, std::string_view message) {
  write_response(error_response(status, code, message), false);
}

void HttpConnection::refuse_and_drain(int status, std::string_view code, std::string_view message) {
  Response response = error_response(status, code, message);
  response.headers.emplace_back("Connection", "close");
  write_response(response, /*keep_alive=*/true);  // the header says close; the socket stays open to drain
  mode_ = Mode::kDraining;
  input_.clear();
  stream_->resume_reading();
  stream_->reactor().after(std::chrono::seconds(5), [weak = weak_from_this()] {
    if (auto alive = weak.lock()) alive->finish();
  });
}

void HttpConnection::finish() {
  if (mode_ == Mode::kClosed) return;
  mode_ = Mode::kClosed;
  stream_->close(/*flush=*/true);
  if (on_close_) std::exchange(on_close_, nullptr)();
  stream_->reactor().retire(handler_.release(this));
}

void HttpConnection::abandon() {
  mode_ = Mode::kClosed;
  if (on_close_) std::exchange(on_close_, nullptr)();
}

void HttpConnection::on_stream_closed(std::string_view reason) {
  if (mode_ == Mode::kClosed) return;
  mode_ = Mode::kClosed;
  if (on_close_) std::exchange(on_close_, nullptr)();
  stream_->reactor().retire(handler_.release(this));
}

}  // namespace millet::api
