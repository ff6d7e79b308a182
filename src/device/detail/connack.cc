#include "device/detail/connack.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <cstdio>
#include <cstring>

namespace millet::device::detail {

namespace {

std::string code_text(Protocol protocol, int code) {
  char text[96];
  if (protocol == Protocol::kMqtt5) {
    std::snprintf(text, sizeof text, " (0x%02X %s)", code, mosquitto_reason_string(code));
  } else {
    std::snprintf(text, sizeof text, " (return code %d)", code);
  }
  return text;
}

// The refusals retrying cannot help; any other (server unavailable or busy, a connection
// rate or quota exceeded, ...) is worth retrying.
struct PermanentRefusal {
  int v5_reason;
  int v311_return_code;  // -1: MQTT 3.1.1 has no such code
  const char* message;
};
constexpr PermanentRefusal kPermanentRefusals[] = {
    {MQTT_RC_BAD_USERNAME_OR_PASSWORD, CONNACK_REFUSED_BAD_USERNAME_PASSWORD,
     "the server refused the device's id or secret"},
    {MQTT_RC_NOT_AUTHORIZED, CONNACK_REFUSED_NOT_AUTHORIZED, "not authorized: the device's credentials were revoked"},
    {MQTT_RC_CLIENTID_NOT_VALID, CONNACK_REFUSED_IDENTIFIER_REJECTED, "the server refused the device id as client id"},
    {MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION, CONNACK_REFUSED_PROTOCOL_VERSION,
     "the server does not speak this MQTT version"},
    {MQTT_RC_BANNED, -1, "the server refused the device"},
    {MQTT_RC_BAD_AUTHENTICATION_METHOD, -1, "the server refused the device"},
};

}  // namespace

Refusal describe_refusal(Protocol protocol, int code) {
  for (const PermanentRefusal& refusal : kPermanentRefusals) {
    if (code == (protocol == Protocol::kMqtt5 ? refusal.v5_reason : refusal.v311_return_code)) {
      return {true, refusal.message + code_text(protocol, code)};
    }
  }
  return {false, "the server refused the connection for now" + code_text(protocol, code)};
}

std::string describe_disconnection(int code, int saved_errno) {
  if (code >= 0x80) return std::string("the server disconnected the device: ") + mosquitto_reason_string(code);
  switch (code) {
    case MOSQ_ERR_CONN_LOST:
      return "the connection was lost";
    case MOSQ_ERR_KEEPALIVE:
      return "the server stopped answering (keep-alive timeout)";
    case MOSQ_ERR_ERRNO:
      return std::strerror(saved_errno);
    case MOSQ_ERR_EAI:
      return "the server's host name could not be resolved";
    case MOSQ_ERR_TLS:
      return "the TLS handshake failed (is the CA file the server's?)";
    default:
      return mosquitto_strerror(code);
  }
}

}  // namespace millet::device::detail
