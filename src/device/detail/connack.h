#pragma once
// What a refused connection or an ended one means, in words a device maker can act on.

#include <string>

#include "device/device.h"

namespace millet::device::detail {

struct Refusal {
  // Retrying cannot help (wrong or revoked credentials, a banned or malformed client):
  // the device stops instead of knocking again and again.
  bool permanent = false;
  std::string message;
};

// A CONNACK that refused the device: its MQTT 5 reason code or 3.1.1 return code (not 0).
Refusal describe_refusal(Protocol protocol, int code);

// Why a connection ended: a libmosquitto error (MOSQ_ERR_*; errno for MOSQ_ERR_ERRNO) or,
// from 0x80 up, the reason code of the server's DISCONNECT.
std::string describe_disconnection(int code, int saved_errno);

}  // namespace millet::device::detail
