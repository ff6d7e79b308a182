#pragma once
// Layer: a byte transform between a socket and the application (TLS, WebSocket).
//
// A stream holds its layers in order from the socket up. Layers are plain
// objects with no thread or executor of their own, so a stream can move to
// another reactor with its layers' state intact.

#include <string>

#include "base/byte_buffer.h"

namespace millet::net {

class Layer {
 public:
  virtual ~Layer() = default;

  // `in` arrived from the peer's side. Append what it decodes to for the
  // application's side to `up`, and anything the layer must answer toward the
  // peer (handshake replies, pongs) to `down`. Returns false to close the stream;
  // error() then says why.
  virtual bool decode(ByteSpan in, ByteBuffer& up, ByteBuffer& down) = 0;

  // The application sends `data`: append its encoding to `down`.
  virtual void encode(ByteSpan data, ByteBuffer& down) = 0;

  // Append the layer's goodbye (TLS close_notify, WebSocket close) to `down`.
  virtual void encode_close(ByteBuffer& down) {}

  // True when the layer has ended the conversation (a WebSocket close, an HTTP
  // reply that is not an upgrade): the stream closes once its output is written.
  virtual bool finished() const { return false; }

  const std::string& error() const { return error_; }

 protected:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

 private:
  std::string error_;
};

}  // namespace millet::net
