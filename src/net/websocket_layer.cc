#include "net/websocket_layer.h"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace millet::net {
namespace {

namespace http = boost::beast::http;

constexpr std::size_t kMaxRequestSize = 8 * 1024;
constexpr std::uint8_t kOpContinuation = 0x0;
constexpr std::uint8_t kOpText = 0x1;
constexpr std::uint8_t kOpBinary = 0x2;
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kOpPing = 0x9;
constexpr std::uint8_t kOpPong = 0xA;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Picks "mqtt" (or the pre-standard "mqttv3.1") from a Sec-WebSocket-Protocol list.
std::string_view choose_subprotocol(std::string_view offered) {
  std::string_view fallback;
  while (!offered.empty()) {
    const std::size_t comma = offered.find(',');
    const std::string_view item = trim(offered.substr(0, comma));
    if (item == "mqtt") return item;
    if (item == "mqttv3.1") fallback = item;
    offered = comma == std::string_view::npos ? std::string_view() : offered.substr(comma + 1);
  }
  return fallback;
}

std::size_t find_header_end(ByteSpan bytes) {
  const std::string_view text = as_text(bytes);
  const std::size_t end = text.find("\r\n\r\n");
  return end == std::string_view::npos ? 0 : end + 4;
}

}  // namespace

void encode_websocket_frame(std::uint8_t opcode, ByteSpan payload, ByteBuffer& out) {
  std::byte header[10];
  std::size_t size = 0;
  header[size++] = std::byte(0x80 | opcode);  // FIN: MQTT needs no fragmentation from us
  const std::uint64_t length = payload.size();
  if (length < 126) {
    header[size++] = std::byte(length);
  } else if (length <= 0xFFFF) {
    header[size++] = std::byte(126);
    header[size++] = std::byte(length >> 8);
    header[size++] = std::byte(length & 0xFF);
  } else {
    header[size++] = std::byte(127);
    for (int shift = 56; shift >= 0; shift -= 8) header[size++] = std::byte((length >> shift) & 0xFF);
  }
  out.append(ByteSpan(header, size));
  out.append(payload);
}

std::string WebSocketLayer::accept_key(std::string_view client_key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input += kGuid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int length = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(length));
}

bool WebSocketLayer::decode(ByteSpan in, ByteBuffer& up, ByteBuffer& down) {
  if (phase_ == Phase::kFinished) return true;
  pending_.append(in);
  if (phase_ == Phase::kHandshake) {
    const std::size_t header_end = find_header_end(pending_.readable());
    if (header_end == 0) {
      if (pending_.size() > kMaxRequestSize) {
        return reply(431, "Request Header Fields Too Large", "request header too large\n", down);
      }
      return true;
    }
    const bool ok = handle_request(pending_.readable().first(header_end), down);
    pending_.consume(header_end);
    if (!ok || phase_ != Phase::kOpen) return ok;
  }
  const bool ok = handle_frames(up, down);
  pending_.release_if_empty();
  return ok;
}

bool WebSocketLayer::handle_request(ByteSpan request, ByteBuffer& down) {
  http::request_parser<http::empty_body> parser;
  parser.header_limit(kMaxRequestSize);
  parser.eager(true);
  boost::beast::error_code error;
  parser.put(boost::asio::buffer(request.data(), request.size()), error);
  if (error || !parser.is_header_done()) {
    return reply(400, "Bad Request", "malformed HTTP request\n", down);
  }
  const auto& message = parser.get();
  std::string_view target(message.target().data(), message.target().size());
  target = target.substr(0, target.find('?'));

  if (options_.serve_health && target == "/healthz") {
    if (message.method() != http::verb::get) return reply(405, "Method Not Allowed", "use GET\n", down);
    return reply(200, "OK", "{\"status\":\"ok\"}\n", down, "Content-Type: application/json\r\n");
  }
  if (target != options_.path) {
    return reply(404, "Not Found", "not found; MQTT over WebSocket is at " + options_.path + "\n", down);
  }
  if (!boost::beast::websocket::is_upgrade(message)) {
    return reply(426, "Upgrade Required", "this path takes WebSocket connections (MQTT over WebSocket)\n", down,
                 "Upgrade: websocket\r\nConnection: Upgrade\r\n");
  }
  const auto version = message[http::field::sec_websocket_version];
  if (version != "13") {
    return reply(426, "Upgrade Required", "WebSocket version 13 is required\n", down,
                 "Sec-WebSocket-Version: 13\r\n");
  }
  const auto key = trim(std::string_view(message[http::field::sec_websocket_key]));
  if (key.size() != 24) return reply(400, "Bad Request", "missing or invalid Sec-WebSocket-Key\n", down);

  const auto offered = message[http::field::sec_websocket_protocol];
  std::string_view subprotocol;
  if (!offered.empty()) {
    subprotocol = choose_subprotocol(std::string_view(offered.data(), offered.size()));
    if (subprotocol.empty()) {
      return reply(400, "Bad Request", "the WebSocket subprotocol must be mqtt\n", down);
    }
  }
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " + accept_key(key) + "\r\n";
  if (!subprotocol.empty()) response += "Sec-WebSocket-Protocol: " + std::string(subprotocol) + "\r\n";
  response += "\r\n";
  down.append(std::string_view(response));
  phase_ = Phase::kOpen;
  return true;
}

bool WebSocketLayer::reply(int status, std::string_view reason, std::string_view body, ByteBuffer& down,
                           std::string_view extra_headers) {
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  if (extra_headers.empty() || extra_headers.find("Content-Type") == std::string_view::npos) {
    response += "Content-Type: text/plain; charset=utf-8\r\n";
  }
  response += std::string(extra_headers);
  response += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  response += body;
  down.append(std::string_view(response));
  phase_ = Phase::kFinished;
  return true;
}

bool WebSocketLayer::close_with(std::uint16_t code, std::string message, ByteBuffer& down) {
  if (!close_sent_) {
    const std::byte payload[2] = {std::byte(code >> 8), std::byte(code & 0xFF)};
    encode_websocket_frame(kOpClose, ByteSpan(payload, 2), down);
    close_sent_ = true;
  }
  phase_ = Phase::kFinished;
  if (message.empty()) return true;
  return fail(std::move(message));
}

ClientFrame parse_client_frame(std::byte* data, std::size_t size, std::uint64_t max_frame_size) {
  ClientFrame frame;
  const auto error = [&frame](std::uint16_t code, std::string why) {
    frame.status = ClientFrame::Status::kError;
    frame.close_code = code;
    frame.error = std::move(why);
    return frame;
  };
  if (size < 2) return frame;
  const auto b0 = static_cast<std::uint8_t>(data[0]);
  const auto b1 = static_cast<std::uint8_t>(data[1]);
  frame.fin = b0 & 0x80;
  frame.opcode = b0 & 0x0F;
  const bool masked = b1 & 0x80;
  std::uint64_t length = b1 & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (size < 4) return frame;
    length = (std::uint64_t(data[2]) << 8) | std::uint64_t(data[3]);
    header = 4;
  } else if (length == 127) {
    if (size < 10) return frame;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | std::uint64_t(data[2 + i]);
    header = 10;
  }
  if (b0 & 0x70) return error(1002, "WebSocket frame with reserved bits set");
  if (!masked) return error(1002, "unmasked WebSocket frame from a client");
  if (length > max_frame_size) return error(1009, "WebSocket frame too large");
  const bool control = frame.opcode & 0x08;
  if (control && (!frame.fin || length > 125)) return error(1002, "invalid WebSocket control frame");
  header += 4;
  if (size < header + length) return frame;
  std::byte mask[4];
  std::memcpy(mask, data + header - 4, 4);
  std::byte* payload = data + header;
  for (std::uint64_t i = 0; i < length; ++i) payload[i] ^= mask[i & 3];
  frame.status = ClientFrame::Status::kFrame;
  frame.payload = ByteSpan(payload, length);
  frame.size = header + length;
  return frame;
}

bool WebSocketLayer::handle_frames(ByteBuffer& up, ByteBuffer& down) {
  while (phase_ == Phase::kOpen) {
    const ClientFrame frame =
        parse_client_frame(pending_.writable_data(), pending_.size(), options_.max_frame_size);
    if (frame.status == ClientFrame::Status::kNeedMore) return true;
    if (frame.status == ClientFrame::Status::kError) return close_with(frame.close_code, frame.error, down);
    switch (frame.opcode) {
      case kOpBinary:
      case kOpContinuation:
        if ((frame.opcode == kOpBinary) == in_fragmented_message_) {
          return close_with(1002, "unexpected WebSocket continuation", down);
        }
        in_fragmented_message_ = !frame.fin;
        up.append(frame.payload);
        break;
      case kOpText: return close_with(1003, "MQTT over WebSocket takes binary frames only", down);
      case kOpPing: encode_websocket_frame(kOpPong, frame.payload, down); break;
      case kOpPong: break;
      case kOpClose: close_with(1000, "", down); break;
      default: return close_with(1002, "unknown WebSocket opcode", down);
    }
    pending_.consume(frame.size);
  }
  return true;
}

void WebSocketLayer::encode(ByteSpan data, ByteBuffer& down) {
  if (phase_ != Phase::kOpen || data.empty()) return;
  encode_websocket_frame(kOpBinary, data, down);
}

void WebSocketLayer::encode_close(ByteBuffer& down) {
  if (phase_ != Phase::kOpen) return;
  close_with(1000, "", down);
}

}  // namespace millet::net
