#pragma once
// `millet sim`: simulated devices of the catalog's types as real MQTT clients of a
// running millet (docs/simulator.md).

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace millet::app {

struct SimOptions {
  std::vector<std::string> device_files;  // from `millet device add ... --json`
  std::string mqtt = "127.0.0.1:1883";
  bool tls = false;
  std::string tls_ca_file;
  std::string spec_dir;  // empty: default_spec_dir()
  double duration_seconds = 0;  // 0: until SIGINT / SIGTERM
};

CLI::App* add_sim_command(CLI::App& app, SimOptions& options);
int sim(const SimOptions& options);

}  // namespace millet::app
