#pragma once
// WebSocket (RFC 6455) server side for MQTT over WebSocket: the HTTP upgrade
// handshake, then binary frames whose payloads are the MQTT byte stream
// (MQTT 5.0 section 6). The same layer answers the HTTP port's health check.

#include <cstdint>
#include <string>
#include <vector>

#include "net/layer.h"

namespace millet::net {

struct WebSocketOptions {
  std::string path = "/mqtt";          // the upgrade path MQTT clients use
  bool serve_health = false;           // also answer GET /healthz (the HTTP port)
  std::uint64_t max_frame_size = 16 << 20;
};

class WebSocketLayer final : public Layer {
 public:
  explicit WebSocketLayer(WebSocketOptions options) : options_(std::move(options)) {}

  bool decode(ByteSpan in, ByteBuffer& up, ByteBuffer& down) override;
  void encode(ByteSpan data, ByteBuffer& down) override;
  void encode_close(ByteBuffer& down) override;
  bool finished() const override { return phase_ == Phase::kFinished; }

  // The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key.
  static std::string accept_key(std::string_view client_key);

 private:
  enum class Phase { kHandshake, kOpen, kFinished };

  bool handle_request(ByteSpan request, ByteBuffer& down);
  bool handle_frames(ByteBuffer& up, ByteBuffer& down);
  // Answers an HTTP request that is not an upgrade, and ends the stream.
  bool reply(int status, std::string_view reason, std::string_view body, ByteBuffer& down,
             std::string_view extra_headers = {});
  // Sends a close frame with `code` and ends the stream.
  bool close_with(std::uint16_t code, std::string message, ByteBuffer& down);

  WebSocketOptions options_;
  Phase phase_ = Phase::kHandshake;
  ByteBuffer pending_;  // a partial request or frame
  bool in_fragmented_message_ = false;
  bool close_sent_ = false;
};

// Encodes one server-to-client frame (never masked).
void encode_websocket_frame(std::uint8_t opcode, ByteSpan payload, ByteBuffer& out);

namespace websocket_opcode {
inline constexpr std::uint8_t kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;
}

// One frame from a client, parsed (and unmasked in place) from the start of a buffer.
struct ClientFrame {
  enum class Status : std::uint8_t { kFrame, kNeedMore, kError };
  Status status = Status::kNeedMore;
  std::uint8_t opcode = 0;
  bool fin = false;
  ByteSpan payload;           // within the buffer
  std::size_t size = 0;       // header and payload: what to consume
  std::uint16_t close_code = 0;  // kError: the close code to answer with
  std::string error;             // kError: why
};
ClientFrame parse_client_frame(std::byte* data, std::size_t size, std::uint64_t max_frame_size);

}  // namespace millet::net
