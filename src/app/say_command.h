#pragma once
// `millet say`: a sentence to the assistant (docs/assistant.md). With --home
// and --dry-run it reads a home file and sentences from stdin, one per line,
// and prints what each would do, without touching any device.

#include <CLI/CLI.hpp>

#include <string>

namespace millet::app {

struct SayOptions {
  std::string text;       // empty: read sentences from stdin
  std::string home_file;  // --home: a home file (dry-run mode)
  std::string here;       // the speaking device's room
  bool dry_run = false;
  bool json = false;
  std::string spec_dir;
};

CLI::App* add_say_command(CLI::App& app, SayOptions& options);
int say(const SayOptions& options);

}  // namespace millet::app
