#pragma once
// TLS for a stream, with OpenSSL over memory BIOs: the layer turns ciphertext
// into plaintext and back without touching the socket, so it has no thread of
// its own and moves with its stream.

#include <memory>
#include <string>

#include "base/expected.h"
#include "net/layer.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace millet::net {

// A server certificate and key, loaded once and shared by every TLS stream.
// Thread-safe once loaded.
class TlsContext {
 public:
  // Loads a PEM certificate chain and its private key; the error says which file
  // failed and why.
  static Expected<std::shared_ptr<TlsContext>, std::string> load(const std::string& certificate_file,
                                                                 const std::string& key_file);
  ~TlsContext();
  SSL_CTX* native() const { return context_; }

 private:
  explicit TlsContext(SSL_CTX* context) : context_(context) {}
  SSL_CTX* context_;
};

class TlsLayer final : public Layer {
 public:
  explicit TlsLayer(std::shared_ptr<TlsContext> context);
  ~TlsLayer() override;

  bool decode(ByteSpan in, ByteBuffer& up, ByteBuffer& down) override;
  void encode(ByteSpan data, ByteBuffer& down) override;
  void encode_close(ByteBuffer& down) override;
  bool finished() const override { return peer_closed_; }

 private:
  void drain_network_output(ByteBuffer& down);

  std::shared_ptr<TlsContext> context_;
  SSL* ssl_ = nullptr;
  ByteBuffer early_output_;  // application bytes sent before the handshake finished
  bool peer_closed_ = false;
};

}  // namespace millet::net
