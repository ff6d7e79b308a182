#pragma once
// The load tool's scenarios (`millet bench`): message flows between publishers
// and subscribers, measured as fast as the broker goes or at a fixed rate, and
// holding many idle connections.

#include <cstdint>
#include <optional>
#include <string>

namespace millet::bench {

struct BenchOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  std::string scenario = "fan-in";  // fan-in, p2p, fan-out, connections, reports, interconnect
  int qos = 0;
  std::size_t payload = 64;
  std::size_t publishers = 4;    // fan-in
  std::size_t pairs = 8;         // p2p
  std::size_t subscribers = 50;  // fan-out
  double duration = 10;          // seconds measured
  double warmup = 1;             // seconds run before measuring
  double rate = 0;               // messages/s over all publishers; 0 = saturation
  std::size_t window = 1000;     // saturation: messages a publisher has ahead of its subscribers
  int protocol = 4;              // 4 = MQTT 3.1.1, 5 = MQTT 5.0
  std::size_t connections = 15000;
  int source_addresses = 8;      // connections come from 127.0.0.1 .. 127.0.0.N
  std::size_t connect_concurrency = 256;
  double hold = 2;               // seconds idle connections are held after connecting
  int broker_pid = 0;            // to read the broker's memory (connections scenario)
  std::string topic_prefix = "bench";
  std::string devices_file;      // reports: JSON [{"id", "secret"}, ...] from `millet device add --count`
  std::string report = R"({"properties":{"environment.temperature":21.5}})";  // reports: the payload
  // interconnect: the devices a rule commands, paired by position with --devices (JSON as --devices)
  std::string targets_file;
  bool quiet = false;            // no progress lines
};

struct BenchResult {
  std::string scenario;
  int qos = 0;
  std::size_t payload = 0;
  std::string mode;  // saturation or fixed-rate
  double seconds = 0;
  std::uint64_t published = 0;
  std::uint64_t delivered = 0;  // messages received by subscribers (fan-out counts each copy)
  std::uint64_t delivered_in_run = 0;  // the same over the whole run, warm-up included
  double delivered_per_second = 0;
  std::uint64_t latency_p50_ns = 0, latency_p99_ns = 0, latency_p999_ns = 0, latency_max_ns = 0;
  // connections scenario
  std::size_t connections = 0;
  double connect_seconds = 0;
  double connects_per_second = 0;
  std::optional<double> broker_rss_bytes_per_connection;
  std::string error;  // non-empty when the run failed
};

BenchResult run_bench(const BenchOptions& options);
std::string to_json(const BenchResult& result);

}  // namespace millet::bench
