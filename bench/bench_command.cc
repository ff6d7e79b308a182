#include "bench/bench_command.h"

#include <cstdio>

namespace millet::bench {

CLI::App* add_bench_command(CLI::App& app, BenchOptions& o) {
  CLI::App& command = *app.add_subcommand(
      "bench",
      "Load any MQTT broker and measure it: message throughput and latency, or idle connections.\n"
      "Scenarios: fan-in (P publishers on bench/<i> -> 1 subscriber on bench/#), p2p (N pairs on\n"
      "their own topics), fan-out (1 publisher -> M subscribers on one topic), connections (N idle\n"
      "clients; connect rate, and the broker's memory per connection with --broker-pid).\n"
      "Without --rate it saturates: each publisher keeps --window messages ahead of its\n"
      "subscribers, so the broker's queues stay short. With --rate it publishes at that rate and\n"
      "reports latency percentiles from a timestamp in each payload. Progress goes to stderr, a\n"
      "JSON summary to stdout.\n"
      "reports: devices of a millet (--devices, from `millet device add ... --count N --json`) each keep\n"
      "--window QoS 1 reports unacknowledged; a PUBACK means checked against the spec and stored.\n"
      "interconnect: device i of --devices reports its temperature (21.5 and 22.5 in turn) and a rule\n"
      "sets device i of --targets; counts the sets the targets receive over MQTT, and the latency from\n"
      "report to set. Without --rate each pair keeps --window reports whose set has not arrived.");
  command.add_option("scenario", o.scenario, "fan-in, p2p, fan-out, connections, reports or interconnect")
      ->check(CLI::IsMember({"fan-in", "p2p", "fan-out", "connections", "reports", "interconnect"}))
      ->capture_default_str();
  command.add_option("--host", o.host, "Broker address")->capture_default_str();
  command.add_option("--port", o.port, "Broker MQTT port")->capture_default_str();
  command.add_option("--qos", o.qos, "QoS of publications and subscriptions")->check(CLI::Range(0, 1))
      ->capture_default_str();
  command.add_option("--payload", o.payload, "Payload bytes (at least 16: a timestamp and counters)")
      ->check(CLI::Range(16, 1 << 20))
      ->capture_default_str();
  command.add_option("--publishers", o.publishers, "fan-in: publishers")->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command.add_option("--pairs", o.pairs, "p2p: publisher-subscriber pairs")->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command.add_option("--subscribers", o.subscribers, "fan-out: subscribers")->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command.add_option("--duration", o.duration, "Seconds measured")->check(CLI::PositiveNumber)->capture_default_str();
  command.add_option("--warmup", o.warmup, "Seconds run before measuring")->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command.add_option("--rate", o.rate, "Messages/s over all publishers; 0 saturates")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command.add_option("--window", o.window, "Saturation: messages each publisher keeps in flight")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command.add_option("--protocol", o.protocol, "4 = MQTT 3.1.1, 5 = MQTT 5.0")->check(CLI::IsMember({4, 5}))
      ->capture_default_str();
  command.add_option("--connections", o.connections, "connections: how many")->check(CLI::Range(1, 60000))
      ->capture_default_str();
  command.add_option("--source-addresses", o.source_addresses,
                     "connections: spread over 127.0.0.1 .. 127.0.0.N")
      ->check(CLI::Range(1, 250))
      ->capture_default_str();
  command.add_option("--concurrency", o.connect_concurrency, "connections: connects in progress at once")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command.add_option("--hold", o.hold, "connections: seconds to hold them before reading memory")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command.add_option("--broker-pid", o.broker_pid, "Process id of the broker, to read its memory")
      ->capture_default_str();
  command.add_option("--topic-prefix", o.topic_prefix, "First topic level")->capture_default_str();
  command.add_option("--devices", o.devices_file, "reports: the devices' ids and secrets (JSON)");
  command.add_option("--report", o.report, "reports: the payload each device reports")->capture_default_str();
  command.add_option("--targets", o.targets_file, "interconnect: the commanded devices' ids and secrets (JSON)");
  command.add_flag("--quiet", o.quiet, "No progress lines");
  return &command;
}

int bench(const BenchOptions& options) {
  const BenchResult result = run_bench(options);
  std::printf("%s\n", to_json(result).c_str());
  if (!result.error.empty()) {
    std::fprintf(stderr, "millet bench: %s\n", result.error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace millet::bench
