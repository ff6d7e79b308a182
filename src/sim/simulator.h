#pragma once
// The simulator: many simulated devices (sim/behaviour.h), each a real MQTT client of a
// millet server through the device library, all on one Fleet (one network thread), plus
// one clock thread that advances their behaviour once a second and sends what it
// produces. `millet sim` runs one; `millet serve --demo` runs one for the demo home.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "base/expected.h"
#include "device/device.h"
#include "spec/catalog.h"

namespace millet::sim {

// A device to simulate, as `millet device add --json` prints it (and the demo keeps it).
struct Credentials {
  std::string id;
  std::string secret;
  std::string type;  // the category in the catalog: "light"
  std::string name;  // for messages; may be empty
};

// [{"id", "secret", "type", "name"?}, ...], or one such object (other fields are ignored);
// `where` names it in errors.
Expected<std::vector<Credentials>, std::string> credentials_from_json(const boost::json::value& document,
                                                                      std::string_view where);
boost::json::array to_json(const std::vector<Credentials>& devices);
// A file of them (JSON as above).
Expected<std::vector<Credentials>, std::string> read_credentials(const std::filesystem::path& file);

struct SimulatorOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  bool tls = false;
  std::string tls_ca_file;
  // What goes wrong with a device (refused, disconnected), by device name or id; on the
  // network thread. Optional.
  std::function<void(std::string_view device, std::string_view message)> on_problem;
};

struct SimulatorCounts {
  std::size_t devices = 0;
  std::size_t online = 0;   // connected now
  std::size_t refused = 0;  // millet refused their credentials: they stopped
  std::uint64_t reports = 0, events = 0;  // sent by their behaviour (not counting answers to sets)
  std::uint64_t sets = 0, actions = 0;    // received from millet
};

class Simulator {
 public:
  // Fails when a device's type is not in the catalog (naming it) or no devices are given.
  static Expected<std::unique_ptr<Simulator>, std::string> create(const spec::Catalog& catalog,
                                                                  std::vector<Credentials> devices,
                                                                  SimulatorOptions options);
  ~Simulator();  // stop()s
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Connects every device (they keep retrying while the server is away) and starts
  // their clock. Returns at once.
  void start();
  // Disconnects them all and stops the clock.
  void stop();
  SimulatorCounts counts() const;

 private:
  struct Simulated;
  explicit Simulator(SimulatorOptions options);
  void run_clock();

  SimulatorOptions options_;
  std::vector<std::unique_ptr<Simulated>> devices_;
  std::unique_ptr<device::Fleet> fleet_;  // while running
  std::atomic<std::size_t> refused_{0};
  std::atomic<std::uint64_t> reports_{0}, events_{0}, sets_{0}, actions_{0};
  std::mutex clock_mutex_;
  std::condition_variable clock_wake_;
  bool clock_stop_ = false;  // guarded by clock_mutex_
  std::thread clock_;
};

}  // namespace millet::sim
