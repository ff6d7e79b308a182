#pragma once
// `millet login|user|home|room|device|rule|scene ...`: people, homes, devices
// and automations from the command line — through a running millet's API (the
// default), or for some directly on the data directory of a millet that is not
// running (`--data-dir`).

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace millet::app {

struct AdminOptions {
  std::string data_dir;  // empty: talk to the server
  std::string server;    // empty: $MILLET_SERVER, else http://127.0.0.1:8080
  std::string token;     // empty: $MILLET_TOKEN, else the one `millet login` saved
  std::string spec_dir;
  std::string user;  // who acts
  std::string name;  // what the command is about: a name, or a device, rule or scene id
  std::string password;
  std::string home;
  std::string room;
  std::string floor;
  std::string type;
  std::size_t count = 0;  // device add: this many, named "<name> 1" .. "<name> N"
  std::string target;     // a second argument: the other user (share), the action (call), the property (history),
                          // the mode (home mode)
  std::vector<std::string> values;  // name=value pairs (set, call); devices (scene capture)
  std::string role = "member";
  long wait_ms = -1;      // set/call: how long to wait for the device (-1: the server's default)
  std::string from = "-24h";
  std::string to = "now";
  std::string level = "auto";
  std::string file;       // rule/scene add, rule edit: a JSON document's file, or "-" for stdin
  std::size_t last = 10;  // rule trace: this many runs, newest first
  std::string latitude, longitude;        // home locate (read by the command, which says what is wrong)
  std::optional<std::string> time_zone;   // home locate --time-zone
  bool json = false;
};

// The commands that talk to a running server (remote_commands.cc).
int run_remote_command(const CLI::App& app, const AdminOptions& options);

// Adds the user, home, room, device, rule and scene commands to `app`.
CLI::App* add_admin_commands(CLI::App& app, AdminOptions& options);
bool admin_command_parsed(const CLI::App& app);
int run_admin_command(const CLI::App& app, const AdminOptions& options);

}  // namespace millet::app
