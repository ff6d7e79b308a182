#include "bench/client.h"

#include <cstring>

#include "mqtt/codec.h"

namespace millet::bench {
namespace {

void put_u64(std::byte* out, std::uint64_t v) { std::memcpy(out, &v, 8); }
void put_u32(std::byte* out, std::uint32_t v) { std::memcpy(out, &v, 4); }

}  // namespace

Stamp read_stamp(ByteSpan payload) {
  Stamp stamp;
  if (payload.size() < kStampSize) return stamp;
  std::memcpy(&stamp.sent_ns, payload.data(), 8);
  std::memcpy(&stamp.publisher, payload.data() + 8, 4);
  std::memcpy(&stamp.sequence, payload.data() + 12, 4);
  return stamp;
}

BenchClient::BenchClient(std::shared_ptr<net::Stream> stream, mqtt::ProtocolVersion version, Callbacks callbacks)
    : stream_(std::move(stream)), version_(version), callbacks_(std::move(callbacks)) {}

void BenchClient::connect(const std::string& client_id, std::uint16_t keep_alive, const std::string& username,
                          const std::string& password) {
  mqtt::Connect connect;
  connect.version = version_;
  connect.clean_start = true;
  connect.keep_alive = keep_alive;
  connect.client_id = client_id;
  if (!username.empty()) {
    connect.username = username;
    connect.password = as_bytes(password);
  }
  if (version_ == mqtt::ProtocolVersion::kV5) connect.properties.receive_maximum = 65535;
  mqtt::encode(connect, stream_->output());
  stream_->flush_soon();
}

void BenchClient::subscribe(const std::string& filter, std::uint8_t qos) {
  mqtt::Subscribe subscribe{.packet_id = next_packet_id_++,
                            .subscriptions = {{filter, mqtt::SubscriptionOptions{.qos = qos}}}};
  mqtt::encode(subscribe, version_, stream_->output());
  stream_->flush_soon();
}

void BenchClient::prepare_publish(const std::string& topic, std::uint8_t qos, std::size_t payload_size) {
  qos_ = qos;
  const std::string payload(std::max(payload_size, kStampSize), 'x');
  mqtt::Publish publish{.qos = qos, .topic = topic, .packet_id = 1, .payload = as_bytes(payload)};
  template_.clear();
  mqtt::encode(publish, version_, template_);
  const auto frame = mqtt::read_frame(template_.readable(), mqtt::kMaxRemainingLength + 5);
  packet_id_offset_ = (*frame)->header_size + 2 + topic.size();
  stamp_offset_ = template_.size() - payload.size();
}

void BenchClient::prepare_publish_payload(const std::string& topic, std::uint8_t qos, const std::string& payload) {
  qos_ = qos;
  mqtt::Publish publish{.qos = qos, .topic = topic, .packet_id = 1, .payload = as_bytes(payload)};
  template_.clear();
  mqtt::encode(publish, version_, template_);
  const auto frame = mqtt::read_frame(template_.readable(), mqtt::kMaxRemainingLength + 5);
  packet_id_offset_ = (*frame)->header_size + 2 + topic.size();
  stamp_offset_ = 0;  // none
  payload_offset_ = template_.size() - payload.size();
}

void BenchClient::patch_payload(std::size_t at, char value) {
  template_.writable_data()[payload_offset_ + at] = std::byte(value);
}

void BenchClient::publish(const Stamp& stamp) {
  ByteBuffer& out = stream_->output();
  const std::size_t start = out.size();
  out.append(template_.readable());
  std::byte* packet = out.writable_data() + start;
  if (qos_ > 0) {
    const std::uint16_t id = next_packet_id_;
    next_packet_id_ = next_packet_id_ == 0xFFFF ? 1 : next_packet_id_ + 1;
    packet[packet_id_offset_] = std::byte(id >> 8);
    packet[packet_id_offset_ + 1] = std::byte(id & 0xFF);
  }
  if (stamp_offset_) {
    put_u64(packet + stamp_offset_, stamp.sent_ns);
    put_u32(packet + stamp_offset_ + 8, stamp.publisher);
    put_u32(packet + stamp_offset_ + 12, stamp.sequence);
  }
  stream_->flush_soon();
}

void BenchClient::disconnect() {
  mqtt::encode(mqtt::Disconnect{}, version_, stream_->output());
  stream_->close(/*flush=*/true);
}

std::size_t BenchClient::on_stream_data(ByteSpan data) {
  std::size_t consumed = 0;
  while (true) {
    auto frame = mqtt::read_frame(data.subspan(consumed), mqtt::kMaxRemainingLength + 5);
    if (!frame) {
      on_stream_closed("malformed packet from the broker");
      stream_->close(false);
      return data.size();
    }
    if (!frame->has_value() || data.size() - consumed < (*frame)->total_size()) return consumed;
    const mqtt::Frame& f = **frame;
    handle(f.first_byte, data.subspan(consumed + f.header_size, f.remaining_length));
    consumed += f.total_size();
    if (!stream_->is_open()) return consumed;
  }
}

void BenchClient::handle(std::uint8_t first_byte, ByteSpan body) {
  const auto type = static_cast<mqtt::PacketType>(first_byte >> 4);
  switch (type) {
    case mqtt::PacketType::kPublish: {
      // Only as far as the payload: topic, packet id, properties length.
      const std::uint8_t qos = (first_byte >> 1) & 0x03;
      if (body.size() < 2) return;
      std::size_t offset = 2 + ((std::size_t(body[0]) << 8) | std::size_t(body[1]));
      std::uint16_t packet_id = 0;
      if (qos > 0 && body.size() >= offset + 2) {
        packet_id = static_cast<std::uint16_t>((std::uint16_t(body[offset]) << 8) | std::uint16_t(body[offset + 1]));
        offset += 2;
      }
      if (version_ == mqtt::ProtocolVersion::kV5) {
        std::uint32_t length = 0;
        int shift = 0;
        while (offset < body.size()) {
          const auto byte = static_cast<std::uint8_t>(body[offset++]);
          length |= std::uint32_t(byte & 0x7F) << shift;
          shift += 7;
          if (!(byte & 0x80)) break;
        }
        offset += length;
      }
      if (offset > body.size()) return;
      if (qos == 1) {
        const std::byte ack[4] = {std::byte(0x40), std::byte(0x02), std::byte(packet_id >> 8),
                                  std::byte(packet_id & 0xFF)};
        stream_->output().append(ByteSpan(ack, 4));
        stream_->flush_soon();
      }
      if (callbacks_.on_message) callbacks_.on_message(read_stamp(body.subspan(offset)));
      return;
    }
    case mqtt::PacketType::kPuback:
      if (callbacks_.on_publish_acked) {
        // v5: the reason code follows the packet id when the remaining length is above 2.
        const auto reason = body.size() > 2 ? static_cast<std::uint8_t>(body[2]) : std::uint8_t{0};
        callbacks_.on_publish_acked(reason);
      }
      return;
    case mqtt::PacketType::kConnack: {
      const bool accepted = body.size() >= 2 && body[1] == std::byte{0};
      if (!accepted) {
        on_stream_closed("CONNACK refused the connection");
        stream_->close(false);
        return;
      }
      if (callbacks_.on_connected) callbacks_.on_connected();
      return;
    }
    case mqtt::PacketType::kSuback:
      if (callbacks_.on_subscribed) callbacks_.on_subscribed();
      return;
    default: return;  // PINGRESP and the like
  }
}

void BenchClient::on_stream_closed(std::string_view reason) {
  if (callbacks_.on_closed) callbacks_.on_closed(reason);
}

}  // namespace millet::bench
