#include "net/websocket_layer.h"

#include <gtest/gtest.h>

#include <string>

namespace millet::net {
namespace {

std::string text(const ByteBuffer& buffer) { return std::string(as_text(buffer.readable())); }

// A client frame: masked, as RFC 6455 requires from clients.
std::string client_frame(std::uint8_t first_byte, std::string_view payload) {
  std::string frame;
  frame += static_cast<char>(first_byte);
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (payload.size() < 126) {
    frame += static_cast<char>(0x80 | payload.size());
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>(payload.size() >> 8);
    frame += static_cast<char>(payload.size() & 0xFF);
  }
  frame.append(reinterpret_cast<const char*>(mask), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) frame += static_cast<char>(payload[i] ^ mask[i & 3]);
  return frame;
}

constexpr std::string_view kUpgrade =
    "GET /mqtt HTTP/1.1\r\n"
    "Host: localhost\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

TEST(WebSocketLayer, AcceptKeyFromRfc6455) {
  EXPECT_EQ(WebSocketLayer::accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketLayer, UpgradesAndCarriesBinaryFrames) {
  WebSocketLayer layer({});
  ByteBuffer up, down;
  // The request arrives in two pieces, and a frame follows it in the same read.
  ASSERT_TRUE(layer.decode(as_bytes(kUpgrade.substr(0, 20)), up, down));
  EXPECT_TRUE(down.empty());
  const std::string rest = std::string(kUpgrade.substr(20)) + client_frame(0x82, std::string_view("\x10\x00", 2));
  ASSERT_TRUE(layer.decode(as_bytes(rest), up, down));
  const std::string reply = text(down);
  EXPECT_NE(reply.find("HTTP/1.1 101"), std::string::npos);
  EXPECT_NE(reply.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_NE(reply.find("Sec-WebSocket-Protocol: mqtt\r\n"), std::string::npos);
  EXPECT_EQ(text(up), std::string("\x10\x00", 2));
  EXPECT_FALSE(layer.finished());
}

TEST(WebSocketLayer, FrameSplitAcrossReadsAndFragmentedMessage) {
  WebSocketLayer layer({});
  ByteBuffer up, down;
  ASSERT_TRUE(layer.decode(as_bytes(kUpgrade), up, down));
  const std::string frames = client_frame(0x02, "hello ") + client_frame(0x80, "world");
  for (char c : frames) ASSERT_TRUE(layer.decode(as_bytes(std::string_view(&c, 1)), up, down));
  EXPECT_EQ(text(up), "hello world");
}

TEST(WebSocketLayer, LongFrame) {
  WebSocketLayer layer({});
  ByteBuffer up, down;
  ASSERT_TRUE(layer.decode(as_bytes(kUpgrade), up, down));
  const std::string payload(1000, 'x');
  ASSERT_TRUE(layer.decode(as_bytes(client_frame(0x82, payload)), up, down));
  EXPECT_EQ(text(up), payload);
}

TEST(WebSocketLayer, AnswersPingWithPong) {
  WebSocketLayer layer({});
  ByteBuffer up, down;
  ASSERT_TRUE(layer.decode(as_bytes(kUpgrade), up, down));
  down.clear();
  ASSERT_TRUE(layer.decode(as_bytes(client_frame(0x89, "hi")), up, down));
  EXPECT_EQ(text(down), std::string("\x8a\x02hi", 4));
}

TEST(WebSocketLayer, RejectsTextAndUnmaskedFrames) {
  {
    WebSocketLayer layer({});
    ByteBuffer up, down;
    ASSERT_TRUE(layer.decode(as_bytes(kUpgrade), up, down));
    down.clear();
    EXPECT_FALSE(layer.decode(as_bytes(client_frame(0x81, "text")), up, down));
    EXPECT_EQ(text(down), std::string("\x88\x02\x03\xeb", 4));  // close 1003
    EXPECT_TRUE(layer.finished());
  }
  {
    WebSocketLayer layer({});
    ByteBuffer up, down;
    ASSERT_TRUE(layer.decode(as_bytes(kUpgrade), up, down));
    down.clear();
    EXPECT_FALSE(layer.decode(as_bytes(std::string("\x82\x01x", 3)), up, down));
    EXPECT_EQ(text(down), std::string("\x88\x02\x03\xea", 4));  // close 1002
  }
}

TEST(WebSocketLayer, WrongPathIs404AndEnds) {
  WebSocketLayer layer({});
  ByteBuffer up, down;
  ASSERT_TRUE(layer.decode(as_bytes("GET /other HTTP/1.1\r\nHost: x\r\n\r\n"), up, down));
  EXPECT_EQ(text(down).substr(0, 22), "HTTP/1.1 404 Not Found");
  EXPECT_TRUE(layer.finished());
}

TEST(WebSocketLayer, PlainGetOnMqttPathAsksForUpgrade) {
  WebSocketLayer layer({});
  ByteBuffer up, down;
  ASSERT_TRUE(layer.decode(as_bytes("GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n"), up, down));
  EXPECT_NE(text(down).find("426 Upgrade Required"), std::string::npos);
}

TEST(WebSocketLayer, HealthCheckOnlyWhenEnabled) {
  WebSocketLayer http({.serve_health = true});
  ByteBuffer up, down;
  ASSERT_TRUE(http.decode(as_bytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), up, down));
  EXPECT_NE(text(down).find("200 OK"), std::string::npos);
  EXPECT_NE(text(down).find("{\"status\":\"ok\"}"), std::string::npos);

  WebSocketLayer ws({});
  ByteBuffer up2, down2;
  ASSERT_TRUE(ws.decode(as_bytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), up2, down2));
  EXPECT_NE(text(down2).find("404"), std::string::npos);
}

TEST(WebSocketLayer, RejectsForeignSubprotocol) {
  std::string request(kUpgrade);
  request.replace(request.find("Protocol: mqtt"), 14, "Protocol: chat");
  WebSocketLayer layer({});
  ByteBuffer up, down;
  ASSERT_TRUE(layer.decode(as_bytes(request), up, down));
  EXPECT_NE(text(down).find("400 Bad Request"), std::string::npos);
}

TEST(WebSocketLayer, OversizedRequestHeader) {
  WebSocketLayer layer({});
  ByteBuffer up, down;
  const std::string huge = "GET /mqtt HTTP/1.1\r\nX: " + std::string(9000, 'a');
  ASSERT_TRUE(layer.decode(as_bytes(huge), up, down));
  EXPECT_NE(text(down).find("431"), std::string::npos);
  EXPECT_TRUE(layer.finished());
}

}  // namespace
}  // namespace millet::net
