#pragma once
// `millet spec`: the device catalog — list its types, show one.

#include <CLI/CLI.hpp>

#include <string>

namespace millet::app {

struct SpecOptions {
  std::string spec_dir;  // empty: default_spec_dir()
  std::string type;      // show: a category or URN
  bool json = false;
};

// The catalog folder used when none is given: `spec/` next to the build
// folder of this binary (build/millet -> spec/), else the source tree's.
std::string default_spec_dir();

CLI::App* add_spec_command(CLI::App& app, SpecOptions& options);
int spec(const CLI::App& command, const SpecOptions& options);

}  // namespace millet::app
