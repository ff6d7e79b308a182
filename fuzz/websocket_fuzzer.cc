// libFuzzer harness for the WebSocket layer (HTTP upgrade and frames).
//
// Input: one byte giving the chunk size in which the rest is fed to the layer
// (so requests and frames split anywhere), then the bytes a client would send.

#include <cstdint>

#include "net/websocket_layer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace millet;
  if (size < 1) return 0;
  const std::size_t chunk = 1 + data[0];
  net::WebSocketLayer layer({.path = "/mqtt", .serve_health = (data[0] & 1) != 0, .max_frame_size = 1 << 20});
  ByteBuffer up;
  ByteBuffer down;
  for (std::size_t offset = 1; offset < size; offset += chunk) {
    const std::size_t count = std::min(chunk, size - offset);
    if (!layer.decode(ByteSpan(reinterpret_cast<const std::byte*>(data + offset), count), up, down)) break;
    if (layer.finished()) break;
  }
  layer.encode(as_bytes("\x20\x02\x00\x00"), down);
  return 0;
}
