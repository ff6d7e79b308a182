#pragma once
// HttpConnection: one HTTP/1.1 connection on the API port — requests parsed
// with Boost.Beast's parser, answered one at a time (pipelined requests wait
// their turn), kept alive unless the client says otherwise — and, after a
// WebSocket upgrade, a stream of text frames from the server (the event
// stream; docs/api.md).
//
// Runs on its stream's reactor thread. A request may be answered later and
// from any thread: Responder::send posts the answer back.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_buffer.h"
#include "net/stream.h"

namespace millet::api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded, without the query: "/api/v1/devices/d-1"
  std::map<std::string, std::string, std::less<>> query;  // decoded
  std::string authorization;  // the Authorization header
  std::string content_type;
  std::string body;
  bool websocket_upgrade = false;
  std::string websocket_key;
  std::string websocket_version;

  // The query parameter, or `fallback`.
  std::string_view param(std::string_view name, std::string_view fallback = {}) const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  // Sent as they are; without a Cache-Control among them, "Cache-Control: no-store" is added.
  std::vector<std::pair<std::string, std::string>> headers;
  bool head_only = false;  // a HEAD request's answer: the length of `body`, not the body
};

class HttpConnection;

// Answers one request, once, from any thread.
class Responder {
 public:
  Responder(std::weak_ptr<HttpConnection> connection, net::Reactor& reactor)
      : connection_(std::move(connection)), reactor_(&reactor) {}
  void send(Response response) const;

 private:
  std::weak_ptr<HttpConnection> connection_;
  net::Reactor* reactor_;
};

// What the API does with requests and event streams.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // A request that is not a WebSocket upgrade.
  virtual void handle(const Request& request, Responder responder) = 0;
  // A WebSocket upgrade: return an error response to refuse it, or nothing to
  // accept it, after which the connection is an event stream (start_events).
  virtual std::optional<Response> accept_websocket(const Request& request,
                                                   const std::shared_ptr<HttpConnection>& connection) = 0;

  // Connections are owned by their handler from start() until they end, so
  // that whatever is still open when the server stops is closed with it.
  virtual void adopt(std::shared_ptr<HttpConnection> connection) = 0;
  // The connection has ended: the handler lets it go (it is destroyed at the
  // end of its reactor's turn).
  virtual std::shared_ptr<HttpConnection> release(HttpConnection* connection) = 0;
};

class HttpConnection final : public net::StreamHandler, public std::enable_shared_from_this<HttpConnection> {
 public:
  static constexpr std::size_t kMaxBody = 1 << 20;
  static constexpr std::size_t kMaxHeader = 16 << 10;
  // An event stream whose reader is this far behind misses events (and is told so).
  static constexpr std::size_t kMaxEventBacklog = 4 << 20;

  // Takes the stream and starts reading it.
  static void start(std::shared_ptr<net::Stream> stream, RequestHandler& handler);
  ~HttpConnection() override;

  // Event streams: sends a text frame, from the connection's thread only.
  // Frames that find the reader too far behind are counted, not sent; the next
  // frame that fits is preceded by {"type": "lost", "count": N}.
  void send_text_frame(std::string_view text);
  net::Reactor& reactor() const { return stream_->reactor(); }
  // Called (on the connection's thread) when an event stream ends.
  void on_close(std::function<void()> callback) { on_close_ = std::move(callback); }
  // The server is stopping and its reactors have stopped: ends the connection
  // without touching its stream (which closes when destroyed).
  void abandon();

  // net::StreamHandler
  std::size_t on_stream_data(ByteSpan data) override;
  void on_stream_closed(std::string_view reason) override;

  void deliver(Response response);  // Responder's target, on this thread

 private:
  enum class Mode : std::uint8_t {
    kHttp,
    kWebSocket,
    kDraining,  // refused a request whose body is still arriving: read and drop it, then close
    kClosed,
  };

  struct ParserState;

  HttpConnection(std::shared_ptr<net::Stream> stream, RequestHandler& handler);
  // Parses and dispatches the next whole request in input_, if not busy.
  void process();
  void process_frames();
  void write_response(const Response& response, bool keep_alive);
  void fail_request(int status, std::string_view code, std::string_view message);
  void finish();
  // Answers, then reads and drops what the client still sends (so that it
  // sees the answer rather than a reset), then closes.
  void refuse_and_drain(int status, std::string_view code, std::string_view message);

  std::shared_ptr<net::Stream> stream_;
  RequestHandler& handler_;
  std::unique_ptr<ParserState> parser_;
  ByteBuffer input_;
  Mode mode_ = Mode::kHttp;
  bool busy_ = false;        // a request is being answered
  bool keep_alive_ = true;   // of the request being answered
  std::uint64_t lost_events_ = 0;
  std::uint64_t drained_ = 0;
  std::function<void()> on_close_;
};

// The body of an error: {"error": code, "message": message}.
Response error_response(int status, std::string_view code, std::string_view message);

}  // namespace millet::api
