// libFuzzer harness for the MQTT codec.
//
// Input: one version byte (5 = MQTT 5.0, anything else = 3.1.1) and then a byte
// stream of packets. Every packet the decoder accepts must encode, decode again,
// and encode to the same bytes; nothing may crash, hang or read out of bounds.

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "mqtt/codec.h"
#include "mqtt/topic.h"

namespace {

using namespace millet;
using namespace millet::mqtt;

Expected<Packet, DecodeError> decode_whole(ByteSpan bytes, ProtocolVersion version) {
  auto frame = read_frame(bytes, kMaxRemainingLength + 5);
  if (!frame || !frame->has_value() || (*frame)->total_size() != bytes.size()) {
    return unexpected(DecodeError{ReasonCode::kMalformedPacket, "re-encoded packet does not frame"});
  }
  return decode_packet(**frame, bytes.subspan((*frame)->header_size), version);
}

void check_round_trip(const Packet& packet, ProtocolVersion version) {
  if (const auto* connect = std::get_if<Connect>(&packet)) version = connect->version;
  ByteBuffer first;
  encode(packet, version, first);
  auto again = decode_whole(first.readable(), version);
  if (!again) {
    std::fprintf(stderr, "an encoded packet does not decode: %s\n", again.error().message);
    std::abort();
  }
  ByteBuffer second;
  encode(*again, version, second);
  if (first.size() != second.size() || std::memcmp(first.readable().data(), second.readable().data(), first.size())) {
    std::fprintf(stderr, "encode(decode(encode(p))) differs from encode(p)\n");
    std::abort();
  }
}

void exercise_broker_checks(const Packet& packet) {
  if (const auto* subscribe = std::get_if<Subscribe>(&packet)) {
    for (const auto& s : subscribe->subscriptions) (void)parse_subscription_filter(s.filter);
  }
  if (const auto* unsubscribe = std::get_if<Unsubscribe>(&packet)) {
    for (auto filter : unsubscribe->filters) (void)parse_subscription_filter(filter);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const ProtocolVersion version = data[0] == 5 ? ProtocolVersion::kV5 : ProtocolVersion::kV311;
  const ByteSpan input(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  std::size_t offset = 0;
  while (offset < input.size()) {
    auto frame = read_frame(input.subspan(offset), 1 << 20);
    if (!frame || !frame->has_value()) break;
    const Frame f = **frame;
    if (input.size() - offset < f.total_size()) break;
    auto packet = decode_packet(f, input.subspan(offset + f.header_size, f.remaining_length), version);
    if (packet) {
      check_round_trip(*packet, version);
      exercise_broker_checks(*packet);
    }
    offset += f.total_size();
  }
  return 0;
}
