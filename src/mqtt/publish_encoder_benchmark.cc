// Fan-out: one message to 50 subscribers, encoded once and copied (with the
// packet id patched) versus encoded for each subscriber.

#include <benchmark/benchmark.h>

#include "mqtt/publish_encoder.h"

namespace millet::mqtt {
namespace {

constexpr int kSubscribers = 50;

MessagePtr sample() {
  auto message = std::make_shared<Message>();
  message->topic = "home/kitchen/light/state";
  message->payload = std::string(64, 'p');
  message->properties = std::string("\x26\x00\x04room\x00\x07kitchen", 15);
  message->qos = 1;
  return message;
}

void BM_FanOutEncodeOnce(benchmark::State& state, ProtocolVersion version) {
  const MessagePtr message = sample();
  ByteBuffer out;
  for (auto _ : state) {
    out.clear();
    PublishEncodingCache cache(*message, WallClock::now());
    for (int i = 0; i < kSubscribers; ++i) cache.append(version, 1, false, static_cast<std::uint16_t>(i + 1), 1 << 20, out);
    benchmark::DoNotOptimize(out.readable().data());
  }
  state.SetItemsProcessed(state.iterations() * kSubscribers);
}
BENCHMARK_CAPTURE(BM_FanOutEncodeOnce, v311, ProtocolVersion::kV311);
BENCHMARK_CAPTURE(BM_FanOutEncodeOnce, v5, ProtocolVersion::kV5);

void BM_FanOutEncodeEach(benchmark::State& state, ProtocolVersion version) {
  const MessagePtr message = sample();
  ByteBuffer out;
  for (auto _ : state) {
    out.clear();
    const WallTime now = WallClock::now();
    for (int i = 0; i < kSubscribers; ++i) {
      OutboundPublish publish{.qos = 1, .packet_id = static_cast<std::uint16_t>(i + 1), .topic = message->topic};
      encode_publish(*message, publish, version, now, 1 << 20, out);
    }
    benchmark::DoNotOptimize(out.readable().data());
  }
  state.SetItemsProcessed(state.iterations() * kSubscribers);
}
BENCHMARK_CAPTURE(BM_FanOutEncodeEach, v311, ProtocolVersion::kV311);
BENCHMARK_CAPTURE(BM_FanOutEncodeEach, v5, ProtocolVersion::kV5);

}  // namespace
}  // namespace millet::mqtt

BENCHMARK_MAIN();
