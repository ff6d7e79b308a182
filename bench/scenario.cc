#include "bench/scenario.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

#include "bench/client.h"
#include "bench/histogram.h"
#include "base/ring_queue.h"
#include "net/listener.h"
#include "net/reactor.h"
#include "net/stream.h"

namespace millet::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

std::optional<std::uint64_t> rss_bytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return std::nullopt;
}

// Everything of one run, on one reactor thread.
class Run {
 public:
  explicit Run(const BenchOptions& options) : options_(options), reactor_(0) {
    result_.scenario = options.scenario;
    result_.qos = options.qos;
    result_.payload = options.payload;
    result_.mode = options.rate > 0 ? "fixed-rate" : "saturation";
    version_ = options.protocol == 5 ? mqtt::ProtocolVersion::kV5 : mqtt::ProtocolVersion::kV311;
  }

  BenchResult execute() {
    if (options_.scenario == "connections") {
      reactor_.post([this] { start_connections(); });
    } else if (options_.scenario == "fan-in" || options_.scenario == "p2p" || options_.scenario == "fan-out") {
      reactor_.post([this] { start_flow(); });
    } else if (options_.scenario == "reports") {
      reactor_.post([this] { start_reports(); });
    } else if (options_.scenario == "interconnect") {
      reactor_.post([this] { start_interconnect(); });
    } else {
      return fail("unknown scenario " + options_.scenario +
                  " (fan-in, p2p, fan-out, connections, reports, interconnect)");
    }
    reactor_.run();
    return result_;
  }

 private:
  struct Peer {
    std::unique_ptr<BenchClient> client;
    std::uint64_t sent = 0;      // publishers
    std::uint64_t received = 0;  // subscribers: messages; publishers: their messages delivered (fan-in, p2p)
  };

  BenchResult fail(std::string message) {
    result_.error = std::move(message);
    return result_;
  }

  void stop(std::string error = {}) {
    if (!error.empty() && result_.error.empty()) result_.error = std::move(error);
    reactor_.stop();
  }

  // Connects a client (from 127.0.0.<source> when source > 1); its callbacks
  // say when the CONNACK arrived.
  void open(Peer& peer, const std::string& client_id, BenchClient::Callbacks callbacks, int source,
            const std::string& username = {}, const std::string& password = {}) {
    const std::string from = source > 1 ? "127.0.0." + std::to_string(source) : std::string();
    net::connect(reactor_, options_.host, options_.port, from,
                 [this, &peer, client_id, callbacks, username,
                  password](Expected<std::shared_ptr<net::Stream>, std::string> stream) {
                   if (!stream) {
                     stop("cannot connect to " + options_.host + ":" + std::to_string(options_.port) + ": " +
                          stream.error());
                     return;
                   }
                   peer.client = std::make_unique<BenchClient>(*stream, version_, callbacks);
                   (*stream)->start(peer.client.get());
                   peer.client->connect(client_id, 60, username, password);
                 });
  }

  // Connections come from 127.0.0.1 .. 127.0.0.N in turn (--source-addresses), so that many fit.
  int source_for(std::size_t i) const {
    return 1 + static_cast<int>(i % static_cast<std::size_t>(std::max(1, options_.source_addresses)));
  }

  // The run starts now: the warm-up, then the measurement.
  void start_clock() {
    started_ = Clock::now();
    measure_from_ = started_ + to_duration(options_.warmup);
    measure_until_ = measure_from_ + to_duration(options_.duration);
    last_progress_ = started_;
  }

  BenchClient::Callbacks base_callbacks() {
    BenchClient::Callbacks callbacks;
    callbacks.on_closed = [this](std::string_view reason) {
      if (!finished_) stop("a connection closed: " + std::string(reason));
    };
    return callbacks;
  }

  // --- message flows ---------------------------------------------------------

  void start_flow() {
    const std::string& s = options_.scenario;
    const std::size_t publishers = s == "fan-in" ? options_.publishers : s == "p2p" ? options_.pairs : 1;
    const std::size_t subscribers = s == "fan-in" ? 1 : s == "p2p" ? options_.pairs : options_.subscribers;
    publishers_.resize(publishers);
    subscribers_.resize(subscribers);
    waiting_ = subscribers;
    const std::string run_id = fmt::format("{:x}", now_ns() & 0xFFFFFF);
    for (std::size_t i = 0; i < subscribers; ++i) {
      auto callbacks = base_callbacks();
      callbacks.on_connected = [this, i] {
        const std::string filter = options_.scenario == "fan-in" ? options_.topic_prefix + "/#"
                                   : options_.scenario == "p2p"  ? topic(i)
                                                                 : topic(0);
        subscribers_[i].client->subscribe(filter, static_cast<std::uint8_t>(options_.qos));
      };
      callbacks.on_subscribed = [this] {
        if (--waiting_ == 0) open_publishers();
      };
      callbacks.on_message = [this, i](const Stamp& stamp) { on_delivered(i, stamp); };
      open(subscribers_[i], "bench-sub-" + run_id + "-" + std::to_string(i), std::move(callbacks), 1);
    }
  }

  std::string topic(std::size_t publisher) const {
    return options_.topic_prefix + "/" + std::to_string(publisher);
  }

  void open_publishers() {
    waiting_ = publishers_.size();
    const std::string run_id = fmt::format("{:x}", now_ns() & 0xFFFFFF);
    for (std::size_t i = 0; i < publishers_.size(); ++i) {
      auto callbacks = base_callbacks();
      callbacks.on_connected = [this, i] {
        publishers_[i].client->prepare_publish(topic(i), static_cast<std::uint8_t>(options_.qos), options_.payload);
        if (--waiting_ == 0) begin_sending();
      };
      open(publishers_[i], "bench-pub-" + run_id + "-" + std::to_string(i), std::move(callbacks), 1);
    }
  }

  void begin_sending() {
    start_clock();
    if (options_.rate > 0) {
      tick();
    } else {
      for (std::size_t i = 0; i < publishers_.size(); ++i) pump(i);
      arm_progress();
    }
  }

  static Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  // Saturation: keep `window` messages of each publisher between it and its subscribers.
  void pump(std::size_t publisher) {
    if (sending_stopped_) return;
    Peer& p = publishers_[publisher];
    const std::uint64_t delivered = delivered_of(publisher);
    const std::uint64_t now = now_ns();
    while (p.sent - delivered < options_.window) send(publisher, now);
  }

  // How many of `publisher`'s messages have reached all of their subscribers.
  std::uint64_t delivered_of(std::size_t publisher) {
    if (options_.scenario != "fan-out") return publishers_[publisher].received;
    if (publishers_[0].sent - fan_out_min_ >= options_.window) {
      fan_out_min_ = subscribers_[0].received;
      for (const Peer& s : subscribers_) fan_out_min_ = std::min(fan_out_min_, s.received);
    }
    return fan_out_min_;
  }

  void send(std::size_t publisher, std::uint64_t now) {
    Peer& p = publishers_[publisher];
    p.client->publish(Stamp{now, static_cast<std::uint32_t>(publisher), static_cast<std::uint32_t>(p.sent)});
    ++p.sent;
    ++published_;
  }

  void on_delivered(std::size_t subscriber, const Stamp& stamp) {
    const auto now = Clock::now();
    ++subscribers_[subscriber].received;
    ++delivered_in_run_;
    const bool measuring = now >= measure_from_ && now < measure_until_;
    if (measuring) {
      ++delivered_;
      histogram_.record(now_ns() - stamp.sent_ns);
    } else if (now >= measure_until_) {
      finish();
      return;
    }
    if (stamp.publisher >= publishers_.size() || options_.rate > 0) return;
    if (options_.scenario != "fan-out") {
      ++publishers_[stamp.publisher].received;
      pump(stamp.publisher);
    } else if (subscribers_[subscriber].received - 1 == fan_out_min_) {
      pump(0);  // the slowest subscriber moved: the window may have opened
    }
  }

  // Fixed rate: every millisecond, send what the schedule says is due, round-robin.
  void tick() {
    if (sending_stopped_) return;
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const auto due = static_cast<std::uint64_t>(elapsed * options_.rate);
    const std::uint64_t stamp = now_ns();
    while (published_ < due) send(next_publisher_++ % publishers_.size(), stamp);
    progress(now);
    if (now >= measure_until_ + std::chrono::seconds(2)) {
      finish();  // whatever has not arrived by now is late beyond measure
      return;
    }
    reactor_.after(std::chrono::milliseconds(1), [this] { tick(); });
  }

  void arm_progress() {
    reactor_.after(std::chrono::milliseconds(250), [this] {
      if (finished_) return;
      const auto now = Clock::now();
      progress(now);
      if (now >= measure_until_ + std::chrono::seconds(5)) {
        stop("no messages arrived after the measurement ended; the broker stalled");
        return;
      }
      arm_progress();
    });
  }

  void progress(Clock::time_point now) {
    if (options_.quiet || now - last_progress_ < std::chrono::seconds(1)) return;
    const double seconds = std::chrono::duration<double>(now - last_progress_).count();
    std::uint64_t total = 0;
    for (const Peer& s : options_.scenario == "reports" ? publishers_ : subscribers_) total += s.received;
    std::fprintf(stderr, "[bench] %s qos%d %s: %4.1f s, %11.0f deliveries/s\n", options_.scenario.c_str(),
                 result_.qos, result_.mode.c_str(), std::chrono::duration<double>(now - started_).count(),
                 static_cast<double>(total - last_total_) / seconds);
    last_total_ = total;
    last_progress_ = now;
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    sending_stopped_ = true;
    result_.seconds = options_.duration;
    result_.published = published_;
    result_.delivered = delivered_;
    result_.delivered_in_run = delivered_in_run_;
    result_.delivered_per_second = static_cast<double>(delivered_) / options_.duration;
    result_.latency_p50_ns = histogram_.percentile(0.50);
    result_.latency_p99_ns = histogram_.percentile(0.99);
    result_.latency_p999_ns = histogram_.percentile(0.999);
    result_.latency_max_ns = histogram_.max();
    for (auto* group : {&publishers_, &subscribers_}) {
      for (Peer& peer : *group) {
        if (peer.client) peer.client->disconnect();
      }
    }
    // Let the DISCONNECTs go out, then stop.
    reactor_.after(std::chrono::milliseconds(100), [this] { reactor_.stop(); });
  }

  // --- device reports (millet's device protocol) ------------------------------
  //
  // Each device keeps --window QoS 1 reports unacknowledged; a PUBACK means the
  // report was checked and its shadow and history written. Latency is from the
  // send to the PUBACK.

  struct DeviceCredentials {
    std::string id;
    std::string secret;
  };

  Expected<std::vector<DeviceCredentials>, std::string> read_devices(const std::string& file, std::string_view flag) {
    std::ifstream in(file);
    if (file.empty() || !in) {
      return unexpected(fmt::format("{} needs {} FILE (from `millet device add NAME --type T --count N --json`)",
                                    options_.scenario, flag));
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code error;
    const auto document = boost::json::parse(text, error);
    std::vector<DeviceCredentials> devices;
    if (!error && document.is_array()) {
      for (const auto& item : document.get_array()) {
        const auto* o = item.if_object();
        const auto* id = o ? o->if_contains("id") : nullptr;
        const auto* secret = o ? o->if_contains("secret") : nullptr;
        if (!id || !secret || !id->is_string() || !secret->is_string()) continue;
        devices.push_back({std::string(id->get_string()), std::string(secret->get_string())});
      }
    }
    if (devices.empty()) return unexpected(file + " holds no [{\"id\", \"secret\"}, ...]");
    return devices;
  }

  void start_reports() {
    auto devices = read_devices(options_.devices_file, "--devices");
    if (!devices) {
      stop(devices.error());
      return;
    }
    devices_ = std::move(*devices);
    result_.qos = 1;
    result_.payload = options_.report.size();
    publishers_.resize(devices_.size());
    sent_at_.resize(devices_.size());
    waiting_ = devices_.size();
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      auto callbacks = base_callbacks();
      callbacks.on_connected = [this, i] {
        publishers_[i].client->prepare_publish_payload("$device/" + devices_[i].id + "/report", 1, options_.report);
        if (--waiting_ == 0) begin_reports();
      };
      callbacks.on_publish_acked = [this, i](std::uint8_t reason) { on_report_acked(i, reason); };
      const int source = source_for(i);
      open(publishers_[i], devices_[i].id, std::move(callbacks), source, devices_[i].id, devices_[i].secret);
    }
  }

  void begin_reports() {
    start_clock();
    for (std::size_t i = 0; i < publishers_.size(); ++i) pump_reports(i);
    arm_progress();
  }

  void pump_reports(std::size_t device) {
    if (sending_stopped_) return;
    Peer& p = publishers_[device];
    const std::uint64_t now = now_ns();
    while (p.sent - p.received < options_.window) {
      sent_at_[device].push_back(now);
      p.client->publish(Stamp{});
      ++p.sent;
      ++published_;
    }
  }

  void on_report_acked(std::size_t device, std::uint8_t reason) {
    if (reason >= 0x80) {
      stop(fmt::format("device {}: a report was refused (reason 0x{:02x}); check --report against its type",
                       devices_[device].id, reason));
      return;
    }
    const auto now = Clock::now();
    Peer& p = publishers_[device];
    const std::uint64_t sent_at = sent_at_[device].front();
    sent_at_[device].pop_front();
    ++p.received;
    ++delivered_in_run_;
    if (now >= measure_from_ && now < measure_until_) {
      ++delivered_;
      histogram_.record(now_ns() - sent_at);
    } else if (now >= measure_until_) {
      finish();
      return;
    }
    pump_reports(device);
  }

  // --- device interconnection (automations) ---------------------------------------
  //
  // Device i of --devices reports its temperature, 21.5 and 22.5 in turn, and a
  // rule of the millet under test sets device i of --targets when it changes.
  // An operation is a set that reached its target over MQTT; its latency runs
  // from the report's send. Without --rate, each pair keeps --window reports whose
  // set has not arrived (so the engine's queue cannot grow without bound).
  //
  // Sets are matched to reports in order, so each measured report must be a change: a
  // sensor left at 21.5 by an earlier run would otherwise set nothing with its first
  // report, and every later set would be taken for the answer to the report before it.
  // Each sensor therefore first reports 20.5, a value the run never sends, and the run
  // starts once the sets this sets off have stopped coming.

  static constexpr std::string_view kInterconnectReport = R"({"properties":{"environment.temperature":21.5}})";

  void start_interconnect() {
    auto sources = read_devices(options_.devices_file, "--devices");
    auto targets = sources ? read_devices(options_.targets_file, "--targets") : sources;
    if (!sources || !targets) return stop(!sources ? sources.error() : targets.error());
    if (targets->size() < sources->size()) return stop("--targets needs at least as many devices as --devices");
    devices_ = std::move(*sources);
    targets_ = std::move(*targets);
    targets_.resize(devices_.size());
    result_.qos = 1;
    result_.payload = kInterconnectReport.size();
    publishers_.resize(devices_.size());
    subscribers_.resize(devices_.size());
    sent_at_.resize(devices_.size());
    waiting_ = targets_.size();
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      auto callbacks = base_callbacks();
      callbacks.on_connected = [this, i] { subscribers_[i].client->subscribe("$device/" + targets_[i].id + "/set", 1); };
      callbacks.on_subscribed = [this] {
        if (--waiting_ == 0) open_sources();
      };
      callbacks.on_message = [this, i](const Stamp&) { on_command(i); };
      const int source = source_for(i);
      open(subscribers_[i], targets_[i].id, std::move(callbacks), source, targets_[i].id, targets_[i].secret);
    }
  }

  void open_sources() {
    waiting_ = devices_.size();
    for (std::size_t i = 0; i < devices_.size(); ++i) {
      auto callbacks = base_callbacks();
      callbacks.on_connected = [this, i] {
        publishers_[i].client->prepare_publish_payload("$device/" + devices_[i].id + "/report", 1,
                                                       std::string(kInterconnectReport));
        if (--waiting_ == 0) prime_interconnect();
      };
      callbacks.on_publish_acked = [this, i](std::uint8_t reason) {
        if (reason >= 0x80) stop(fmt::format("device {}: a report was refused (reason 0x{:02x})", devices_[i].id, reason));
      };
      const int source = source_for(i);
      open(publishers_[i], devices_[i].id, std::move(callbacks), source, devices_[i].id, devices_[i].secret);
    }
  }

  void prime_interconnect() {
    for (Peer& p : publishers_) {
      p.client->patch_payload(kInterconnectReport.find("21.5") + 1, '0');
      p.client->publish(Stamp{});
    }
    last_priming_set_ = Clock::now();
    await_priming_quiet();
  }

  void await_priming_quiet() {
    if (Clock::now() - last_priming_set_ < std::chrono::milliseconds(300)) {
      reactor_.after(std::chrono::milliseconds(50), [this] { await_priming_quiet(); });
      return;
    }
    begin_interconnect();
  }

  void begin_interconnect() {
    start_clock();
    if (options_.rate > 0) {
      interconnect_tick();
    } else {
      for (std::size_t i = 0; i < publishers_.size(); ++i) pump_interconnect(i);
      arm_progress();
    }
  }

  // Sends device i's next report: the other temperature, so that each is a change.
  void send_report(std::size_t i, std::uint64_t now) {
    Peer& p = publishers_[i];
    p.client->patch_payload(kInterconnectReport.find("21.5") + 1, p.sent % 2 ? '2' : '1');
    sent_at_[i].push_back(now);
    p.client->publish(Stamp{});
    ++p.sent;
    ++published_;
  }

  void pump_interconnect(std::size_t i) {
    if (sending_stopped_) return;
    const std::uint64_t now = now_ns();
    while (publishers_[i].sent - subscribers_[i].received < options_.window) send_report(i, now);
  }

  void interconnect_tick() {
    if (sending_stopped_) return;
    const auto now = Clock::now();
    const auto due = static_cast<std::uint64_t>(std::chrono::duration<double>(now - started_).count() * options_.rate);
    const std::uint64_t stamp = now_ns();
    while (published_ < due) send_report(next_publisher_++ % publishers_.size(), stamp);
    progress(now);
    if (now >= measure_until_ + std::chrono::seconds(2)) return finish();
    reactor_.after(std::chrono::milliseconds(1), [this] { interconnect_tick(); });
  }

  void on_command(std::size_t i) {
    // Before the reports start: the sets of the priming reports, and the values a target was
    // sent earlier (millet resends desired values a device has not reported). Not this run's.
    if (started_ == Clock::time_point{}) {
      last_priming_set_ = Clock::now();
      return;
    }
    const auto now = Clock::now();
    ++subscribers_[i].received;
    ++delivered_in_run_;
    std::uint64_t sent_at = 0;
    if (!sent_at_[i].empty()) {
      sent_at = sent_at_[i].front();
      sent_at_[i].pop_front();
    }
    if (now >= measure_from_ && now < measure_until_) {
      ++delivered_;
      if (sent_at) histogram_.record(now_ns() - sent_at);
    } else if (now >= measure_until_) {
      return finish();
    }
    if (options_.rate <= 0) pump_interconnect(i);
  }

  // --- idle connections --------------------------------------------------------

  void start_connections() {
    if (options_.broker_pid) rss_before_ = rss_bytes(options_.broker_pid);
    connections_.resize(options_.connections);
    started_ = Clock::now();
    last_progress_ = started_;
    open_more_connections();
  }

  void open_more_connections() {
    const std::string run_id = fmt::format("{:x}", now_ns() & 0xFFFFFF);
    while (next_connection_ < connections_.size() && pending_ < options_.connect_concurrency) {
      const std::size_t i = next_connection_++;
      ++pending_;
      auto callbacks = base_callbacks();
      callbacks.on_connected = [this] {
        --pending_;
        ++connected_;
        if (connected_ == connections_.size()) {
          all_connected();
        } else {
          open_more_connections();
        }
      };
      const int source = source_for(i);
      open(connections_[i], "bench-idle-" + run_id + "-" + std::to_string(i), std::move(callbacks), source);
    }
    const auto now = Clock::now();
    if (!options_.quiet && now - last_progress_ >= std::chrono::seconds(1)) {
      std::fprintf(stderr, "[bench] connections: %zu of %zu connected\n", connected_, connections_.size());
      last_progress_ = now;
    }
  }

  void all_connected() {
    result_.connections = connected_;
    result_.connect_seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    result_.connects_per_second = static_cast<double>(connected_) / result_.connect_seconds;
    if (!options_.quiet) {
      std::fprintf(stderr, "[bench] connections: %zu connected in %.2f s; holding %.0f s\n", connected_,
                   result_.connect_seconds, options_.hold);
    }
    reactor_.after(std::chrono::duration_cast<std::chrono::milliseconds>(to_duration(options_.hold)), [this] {
      if (options_.broker_pid && rss_before_) {
        if (const auto after = rss_bytes(options_.broker_pid)) {
          result_.broker_rss_bytes_per_connection =
              (static_cast<double>(*after) - static_cast<double>(*rss_before_)) / static_cast<double>(connected_);
        }
      }
      finished_ = true;
      for (Peer& peer : connections_) peer.client->stream().close(false);
      reactor_.stop();
    });
  }

  const BenchOptions& options_;
  BenchResult result_;
  mqtt::ProtocolVersion version_;
  net::Reactor reactor_;

  std::vector<Peer> publishers_, subscribers_, connections_;
  std::vector<DeviceCredentials> devices_, targets_;
  std::vector<RingQueue<std::uint64_t>> sent_at_;  // reports: send times of the unacknowledged, per device
  std::size_t waiting_ = 0;
  std::uint64_t published_ = 0, delivered_ = 0, delivered_in_run_ = 0, fan_out_min_ = 0, last_total_ = 0;
  std::size_t next_publisher_ = 0;
  LatencyHistogram histogram_;
  Clock::time_point started_, measure_from_, measure_until_, last_progress_;
  Clock::time_point last_priming_set_;  // interconnect: when the last set before the run arrived
  bool sending_stopped_ = false, finished_ = false;

  std::size_t next_connection_ = 0, pending_ = 0, connected_ = 0;
  std::optional<std::uint64_t> rss_before_;
};

}  // namespace

BenchResult run_bench(const BenchOptions& options) {
  Run run(options);
  return run.execute();
}

std::string to_json(const BenchResult& r) {
  std::string json = fmt::format(
      "{{\"scenario\":\"{}\",\"qos\":{},\"payload\":{},\"mode\":\"{}\",\"seconds\":{},\"published\":{},"
      "\"delivered\":{},\"delivered_in_run\":{},\"delivered_per_second\":{:.0f},\"latency_ns\":{{\"p50\":{},\"p99\":{},\"p999\":{},"
      "\"max\":{}}},\"connections\":{},\"connect_seconds\":{:.3f},\"connects_per_second\":{:.0f}",
      r.scenario, r.qos, r.payload, r.mode, r.seconds, r.published, r.delivered, r.delivered_in_run,
      r.delivered_per_second,
      r.latency_p50_ns, r.latency_p99_ns, r.latency_p999_ns, r.latency_max_ns, r.connections, r.connect_seconds,
      r.connects_per_second);
  if (r.broker_rss_bytes_per_connection) {
    json += fmt::format(",\"broker_rss_bytes_per_connection\":{:.0f}", *r.broker_rss_bytes_per_connection);
  }
  if (!r.error.empty()) {
    std::string escaped;
    for (char c : r.error) escaped += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    json += ",\"error\":\"" + escaped + "\"";
  }
  return json + "}";
}

}  // namespace millet::bench
