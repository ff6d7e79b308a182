// `millet sim`: reads the devices, connects them on one fleet, shows progress, and runs
// them until a signal or --duration.

#include "app/sim_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "app/process.h"
#include "app/spec_command.h"
#include "sim/simulator.h"

namespace millet::app {
namespace {

int fail(const std::string& message) {
  fmt::print(stderr, "millet sim: {}\n", message);
  return 1;
}

// Over the same line on a terminal; a line each time otherwise (a log, a pipe).
class ProgressLine {
 public:
  ProgressLine() : terminal_(::isatty(STDERR_FILENO) == 1) {}
  void show(const std::string& text) {
    if (terminal_) {
      fmt::print(stderr, "\r\033[K{}", text);
    } else {
      fmt::print(stderr, "{}\n", text);
    }
    std::fflush(stderr);
  }
  void finish() {
    if (terminal_) fmt::print(stderr, "\n");
  }

 private:
  bool terminal_;
};

std::string summary(const sim::SimulatorCounts& counts) {
  return fmt::format("{} of {} devices online; sent {} reports and {} events; obeyed {} sets and {} actions",
                     counts.online, counts.devices, counts.reports, counts.events, counts.sets, counts.actions);
}

// Each device holds its socket and libmosquitto's socket pair: take every open file the
// process may have, and say so up front when that is still too few.
Expected<void, std::string> make_room_for(std::size_t devices) {
  const auto limit = raise_open_file_limit();
  const std::size_t needed = 3 * devices + 64;
  if (limit && *limit != RLIM_INFINITY && needed > *limit) {
    return unexpected(fmt::format("{} devices need about {} open files and this process may hold {}: run at most {} "
                                  "per process (split the files over several `millet sim`)",
                                  devices, needed, *limit, (*limit - 64) / 3));
  }
  return {};
}

}  // namespace

CLI::App* add_sim_command(CLI::App& app, SimOptions& o) {
  CLI::App* command = app.add_subcommand(
      "sim",
      "Simulated devices as real MQTT clients of a running millet: thermometers follow the time of day, motion\n"
      "sensors fire, lights and plugs obey and report back, vacuums drain and recharge, plugs report power;\n"
      "every type of the catalog reports and obeys what its spec says (docs/simulator.md). The devices come\n"
      "from files that `millet device add NAME --type T --count N --json` printed; they all run on one thread,\n"
      "so one process runs thousands (each holds 3 of the process's open files). Progress and a summary go to\n"
      "stderr; SIGINT or SIGTERM stops it.");
  command->add_option("--devices", o.device_files, "A JSON file of devices: [{\"id\", \"secret\", \"type\"}, ...] (repeatable)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--mqtt", o.mqtt, "millet's MQTT address, HOST:PORT")->capture_default_str();
  command->add_flag("--tls", o.tls, "Connect with TLS, checking the server against the system's CA certificates");
  command->add_option("--tls-ca", o.tls_ca_file, "Connect with TLS, checking the server against this CA file (PEM)");
  command->add_option("--spec-dir", o.spec_dir, "Device catalog folder (default: spec/ of this millet)");
  command->add_option("--duration", o.duration_seconds, "Stop after this many seconds (default: run until stopped)")
      ->check(CLI::NonNegativeNumber);
  return command;
}

int sim(const SimOptions& options) {
  const auto colon = options.mqtt.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 || (port = std::atoi(options.mqtt.c_str() + colon + 1)) < 1 ||
      port > 65535) {
    return fail(fmt::format("--mqtt {} is not HOST:PORT", options.mqtt));
  }
  const std::string spec_dir = options.spec_dir.empty() ? default_spec_dir() : options.spec_dir;
  auto catalog = spec::Catalog::load(spec_dir);
  if (!catalog) return fail(fmt::format("the device catalog in {} does not load:\n{}", spec_dir, catalog.error()));
  std::vector<sim::Credentials> devices;
  for (const std::string& file : options.device_files) {
    auto read = sim::read_credentials(file);
    if (!read) return fail(read.error());
    devices.insert(devices.end(), read->begin(), read->end());
  }

  if (auto room = make_room_for(devices.size()); !room) return fail(room.error());

  // Signals are taken below; the fleet's and the clock's threads inherit the mask.
  sigset_t signals = block_stop_signals();

  ProgressLine progress;
  sim::SimulatorOptions simulator_options;
  simulator_options.host = options.mqtt.substr(0, colon);
  simulator_options.port = port;
  simulator_options.tls = options.tls || !options.tls_ca_file.empty();
  simulator_options.tls_ca_file = options.tls_ca_file;
  simulator_options.on_problem = [](std::string_view device, std::string_view message) {
    fmt::print(stderr, "\nmillet sim: {}: {}\n", device, message);
  };
  auto simulator = sim::Simulator::create(*catalog, std::move(devices), std::move(simulator_options));
  if (!simulator) return fail(simulator.error());

  const auto started = std::chrono::steady_clock::now();
  const auto seconds_since = [&started] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  fmt::print(stderr, "millet sim: {} devices to {}\n", (*simulator)->counts().devices, options.mqtt);
  (*simulator)->start();

  bool all_online = false;
  auto next_summary = started;
  while (true) {
    timespec tick{0, 200'000'000};
    const int signal_number = sigtimedwait(&signals, nullptr, &tick);
    if (signal_number == SIGINT || signal_number == SIGTERM) break;
    if (options.duration_seconds > 0 && seconds_since() >= options.duration_seconds) break;
    const sim::SimulatorCounts counts = (*simulator)->counts();
    if (counts.refused == counts.devices) {
      progress.finish();
      return fail("millet refused every device's credentials");
    }
    if (!all_online) {
      progress.show(fmt::format("connecting: {} of {} devices online ({:.1f} s)", counts.online, counts.devices,
                                seconds_since()));
      if (counts.online + counts.refused == counts.devices) {
        all_online = true;
        progress.show(fmt::format("{} devices online in {:.1f} s; running (Ctrl-C stops)", counts.online,
                                  seconds_since()));
        progress.finish();
        next_summary = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      }
    } else if (std::chrono::steady_clock::now() >= next_summary) {
      progress.show(summary(counts));
      next_summary += std::chrono::seconds(10);
    }
  }
  progress.finish();
  const sim::SimulatorCounts counts = (*simulator)->counts();
  (*simulator)->stop();
  fmt::print(stderr, "millet sim: stopped after {:.0f} s: {}\n", seconds_since(), summary(counts));
  return 0;
}

}  // namespace millet::app
