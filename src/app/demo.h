#pragma once
// The demo home of `millet serve --demo` (docs/simulator.md, "The demo home"): made once,
// on a data directory with no users yet, from a description (demo/home.json: a user,
// a home, its rooms, devices, scenes and rules); kept in DATA_DIR/demo.json with the
// sign-in and the devices' secrets, which the simulator needs on every start.

#include <filesystem>
#include <string>
#include <vector>

#include "automation/service.h"
#include "base/expected.h"
#include "hub/history.h"
#include "hub/registry.h"
#include "sim/simulator.h"

namespace millet::app {

struct DemoHome {
  std::string user;
  std::string password;  // made at random when the home is made
  std::string home;      // its name
  std::vector<sim::Credentials> devices;
};

// demo/home.json of this millet: beside its build folder, else in its source tree.
std::string default_demo_file();

// Makes the described home for a new user. Stops at the first entry that fails, naming it.
Expected<DemoHome, std::string> make_demo_home(const std::filesystem::path& description, hub::Registry& registry,
                                               automation::Automations& automations);

// Gives the new demo home's measuring devices a past: what their simulated behaviour would
// have reported every 5 minutes over the last `days` days (temperature, humidity, air,
// power), written to their history as if reported then — so that the charts of a fresh
// demo have a week to show. Returns how many values were written.
Expected<std::size_t, std::string> seed_demo_history(const DemoHome& demo, const spec::Catalog& catalog,
                                                     hub::History& history, store::KvStore& store, int days);

// DATA_DIR/demo.json, written with mode 0600 (it holds a password and the devices' secrets).
std::filesystem::path demo_file_in(const std::filesystem::path& data_dir);
Expected<void, std::string> save_demo_home(const std::filesystem::path& file, const DemoHome& demo);
Expected<DemoHome, std::string> load_demo_home(const std::filesystem::path& file);

}  // namespace millet::app
