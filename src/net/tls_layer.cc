#include "net/tls_layer.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace millet::net {
namespace {

std::string openssl_error() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown TLS error" : text;
}

}  // namespace

Expected<std::shared_ptr<TlsContext>, std::string> TlsContext::load(const std::string& certificate_file,
                                                                    const std::string& key_file) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (!context) return unexpected("cannot create a TLS context: " + openssl_error());
  std::shared_ptr<TlsContext> result(new TlsContext(context));
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(context, certificate_file.c_str()) != 1) {
    return unexpected("cannot load the TLS certificate " + certificate_file + ": " + openssl_error());
  }
  if (SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return unexpected("cannot load the TLS key " + key_file + ": " + openssl_error());
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return unexpected("the TLS key " + key_file + " does not match the certificate " + certificate_file);
  }
  return result;
}

TlsContext::~TlsContext() { SSL_CTX_free(context_); }

TlsLayer::TlsLayer(std::shared_ptr<TlsContext> context) : context_(std::move(context)) {
  ssl_ = SSL_new(context_->native());
  BIO* network_in = BIO_new(BIO_s_mem());
  BIO* network_out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl_, network_in, network_out);  // the SSL object owns both
  SSL_set_accept_state(ssl_);
}

TlsLayer::~TlsLayer() { SSL_free(ssl_); }

void TlsLayer::drain_network_output(ByteBuffer& down) {
  BIO* network_out = SSL_get_wbio(ssl_);
  while (BIO_ctrl_pending(network_out) > 0) {
    auto space = down.prepare(BIO_ctrl_pending(network_out));
    const int count = BIO_read(network_out, space.data(), static_cast<int>(space.size()));
    if (count <= 0) break;
    down.commit(static_cast<std::size_t>(count));
  }
}

bool TlsLayer::decode(ByteSpan in, ByteBuffer& up, ByteBuffer& down) {
  ERR_clear_error();
  if (!in.empty()) BIO_write(SSL_get_rbio(ssl_), in.data(), static_cast<int>(in.size()));
  if (!SSL_is_init_finished(ssl_)) {
    const int result = SSL_do_handshake(ssl_);
    if (result <= 0) {
      const int error = SSL_get_error(ssl_, result);
      drain_network_output(down);  // an alert, or the next handshake flight
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return true;
      return fail("TLS handshake failed: " + openssl_error());
    }
    if (!early_output_.empty()) {
      encode(early_output_.readable(), down);
      early_output_ = ByteBuffer();
    }
  }
  while (true) {
    auto space = up.prepare(16 * 1024);
    const int count = SSL_read(ssl_, space.data(), static_cast<int>(space.size()));
    if (count > 0) {
      up.commit(static_cast<std::size_t>(count));
      continue;
    }
    const int error = SSL_get_error(ssl_, count);
    drain_network_output(down);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return true;
    if (error == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      return true;
    }
    return fail("TLS error: " + openssl_error());
  }
}

void TlsLayer::encode(ByteSpan data, ByteBuffer& down) {
  if (data.empty()) return;
  if (!SSL_is_init_finished(ssl_)) {
    early_output_.append(data);
    return;
  }
  // Writing to a memory BIO never blocks, so SSL_write takes everything.
  SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  drain_network_output(down);
}

void TlsLayer::encode_close(ByteBuffer& down) {
  if (!SSL_is_init_finished(ssl_)) return;
  SSL_shutdown(ssl_);
  drain_network_output(down);
}

}  // namespace millet::net
