#pragma once
// `millet user|home|room|device ...`: the registry from the command line, on
// the data directory of a millet that is not running.

#include <CLI/CLI.hpp>

#include <string>

namespace millet::app {

struct AdminOptions {
  std::string data_dir = "data";
  std::string spec_dir;
  std::string user;  // who acts
  std::string name;  // what the command is about: a name, or a device id
  std::string password;
  std::string home;
  std::string room;
  std::string floor;
  std::string type;
  std::size_t count = 0;  // device add: this many, named "<name> 1" .. "<name> N"
  bool json = false;
};

// Adds the user, home, room and device commands to `app`.
CLI::App* add_admin_commands(CLI::App& app, AdminOptions& options);
bool admin_command_parsed(const CLI::App& app);
int run_admin_command(const CLI::App& app, const AdminOptions& options);

}  // namespace millet::app
