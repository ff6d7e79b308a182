#pragma once
// BenchClient: one MQTT client connection of the load tool, on a net::Stream.
//
// It is deliberately lean — the load tool shares the machine's cores with the
// broker it measures, so every cycle it spends is one the broker does not get:
// PUBLISH packets are built from a template with the sequence and timestamp
// patched in, incoming PUBLISHes are parsed only as far as their payload, and
// writes are batched per reactor round like the broker's.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/byte_buffer.h"
#include "mqtt/types.h"
#include "net/stream.h"

namespace millet::bench {

// What the load tool puts at the front of every payload.
struct Stamp {
  std::uint64_t sent_ns = 0;  // steady clock at send time
  std::uint32_t publisher = 0;
  std::uint32_t sequence = 0;
};
inline constexpr std::size_t kStampSize = 16;

class BenchClient final : public net::StreamHandler {
 public:
  struct Callbacks {
    std::function<void()> on_connected;                   // CONNACK accepted
    std::function<void()> on_subscribed;                  // SUBACK
    std::function<void(const Stamp&)> on_message;         // a PUBLISH arrived
    std::function<void(std::uint8_t reason)> on_publish_acked;  // PUBACK for our QoS 1 PUBLISH (3.1.1: reason 0)
    std::function<void(std::string_view)> on_closed;      // connection lost or refused
  };

  BenchClient(std::shared_ptr<net::Stream> stream, mqtt::ProtocolVersion version, Callbacks callbacks);

  void connect(const std::string& client_id, std::uint16_t keep_alive = 60, const std::string& username = {},
               const std::string& password = {});
  void subscribe(const std::string& filter, std::uint8_t qos);
  // Prepares the PUBLISH template: every publish() sends `payload_size` bytes on `topic`.
  void prepare_publish(const std::string& topic, std::uint8_t qos, std::size_t payload_size);
  // The same with a fixed payload, sent as it is (no stamp).
  void prepare_publish_payload(const std::string& topic, std::uint8_t qos, const std::string& payload);
  void publish(const Stamp& stamp);
  // Changes one byte of a payload set by prepare_publish_payload (at `at` from its start).
  void patch_payload(std::size_t at, char value);
  void disconnect();

  net::Stream& stream() { return *stream_; }

  std::size_t on_stream_data(ByteSpan data) override;
  void on_stream_closed(std::string_view reason) override;

 private:
  void handle(std::uint8_t first_byte, ByteSpan body);

  std::shared_ptr<net::Stream> stream_;
  mqtt::ProtocolVersion version_;
  Callbacks callbacks_;
  ByteBuffer template_;
  std::size_t packet_id_offset_ = 0;
  std::size_t stamp_offset_ = 0;
  std::size_t payload_offset_ = 0;  // where the fixed payload starts in the template
  std::uint8_t qos_ = 0;
  std::uint16_t next_packet_id_ = 1;
};

// Reads the stamp from the front of a payload (zeros if it is too short).
Stamp read_stamp(ByteSpan payload);

}  // namespace millet::bench
