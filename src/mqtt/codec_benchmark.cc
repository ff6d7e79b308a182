// Micro-benchmarks of the codec's hot paths: framing, decoding and encoding
// PUBLISH packets as the broker sees them.

#include <benchmark/benchmark.h>

#include <string>

#include "mqtt/codec.h"

namespace millet::mqtt {
namespace {

std::string payload_of(std::size_t size) { return std::string(size, 'p'); }

ByteBuffer encoded_publish(ProtocolVersion version, std::uint8_t qos, bool with_properties) {
  static const std::string payload = payload_of(64);
  Publish publish{.qos = qos, .topic = "home/kitchen/light/state", .packet_id = 7, .payload = as_bytes(payload)};
  if (with_properties) {
    publish.properties.user_properties = {{"room", "kitchen"}};
    publish.properties.content_type = "application/json";
    publish.properties.message_expiry_interval = 60;
  }
  ByteBuffer out;
  encode(publish, version, out);
  return out;
}

void BM_DecodePublish(benchmark::State& state, ProtocolVersion version, std::uint8_t qos, bool with_properties) {
  const ByteBuffer packet = encoded_publish(version, qos, with_properties);
  const ByteSpan bytes = packet.readable();
  for (auto _ : state) {
    auto frame = read_frame(bytes, kMaxRemainingLength + 5);
    auto decoded = decode_packet(**frame, bytes.subspan((*frame)->header_size), version);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_DecodePublish, v311_qos0_64B, ProtocolVersion::kV311, 0, false);

// What the broker does: decode_publish into a reused Publish.
void BM_DecodePublishInPlace(benchmark::State& state, ProtocolVersion version, std::uint8_t qos,
                             bool with_properties) {
  const ByteBuffer packet = encoded_publish(version, qos, with_properties);
  const ByteSpan bytes = packet.readable();
  Publish publish;
  for (auto _ : state) {
    auto frame = read_frame(bytes, kMaxRemainingLength + 5);
    auto decoded = decode_publish(**frame, bytes.subspan((*frame)->header_size), version, publish);
    benchmark::DoNotOptimize(decoded);
    benchmark::DoNotOptimize(publish.payload.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_DecodePublishInPlace, v311_qos0_64B, ProtocolVersion::kV311, 0, false);
BENCHMARK_CAPTURE(BM_DecodePublishInPlace, v5_qos1_64B_properties, ProtocolVersion::kV5, 1, true);
BENCHMARK_CAPTURE(BM_DecodePublish, v311_qos1_64B, ProtocolVersion::kV311, 1, false);
BENCHMARK_CAPTURE(BM_DecodePublish, v5_qos1_64B_properties, ProtocolVersion::kV5, 1, true);

void BM_EncodePublish(benchmark::State& state, ProtocolVersion version) {
  const std::string payload = payload_of(64);
  const Publish publish{.qos = 1, .topic = "home/kitchen/light/state", .packet_id = 7, .payload = as_bytes(payload)};
  ByteBuffer out;
  for (auto _ : state) {
    out.clear();
    encode(publish, version, out);
    benchmark::DoNotOptimize(out.readable().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_EncodePublish, v311_qos1_64B, ProtocolVersion::kV311);
BENCHMARK_CAPTURE(BM_EncodePublish, v5_qos1_64B, ProtocolVersion::kV5);

void BM_FrameStream(benchmark::State& state) {
  // A read of many packets: framing alone, the first step for every packet.
  ByteBuffer stream;
  for (int i = 0; i < 1000; ++i) stream.append(encoded_publish(ProtocolVersion::kV311, 0, false).readable());
  const ByteSpan bytes = stream.readable();
  for (auto _ : state) {
    std::size_t offset = 0;
    while (offset < bytes.size()) offset += (*read_frame(bytes.subspan(offset), kMaxRemainingLength + 5))->total_size();
    benchmark::DoNotOptimize(offset);
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_FrameStream);

}  // namespace
}  // namespace millet::mqtt

BENCHMARK_MAIN();
