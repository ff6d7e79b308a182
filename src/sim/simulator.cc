#include "sim/simulator.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "base/thread_name.h"
#include "sim/behaviour.h"
#include "spec/value.h"

namespace millet::sim {
namespace json = boost::json;

Expected<std::vector<Credentials>, std::string> credentials_from_json(const json::value& document,
                                                                      std::string_view where) {
  const json::array single = document.is_object() ? json::array{document} : json::array{};  // `device add` without --count
  const json::array* entries = document.is_object() ? &single : document.if_array();
  if (!entries) return unexpected(fmt::format("{} is not a list of devices ([{{\"id\", \"secret\", \"type\"}}, ...])", where));
  std::vector<Credentials> devices;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const json::object* entry = (*entries)[i].if_object();
    auto text_of = [&](std::string_view key) -> std::string {
      return entry ? std::string(spec::string_at(*entry, key)) : std::string();
    };
    Credentials device{text_of("id"), text_of("secret"), text_of("type"), text_of("name")};
    if (device.id.empty() || device.secret.empty() || device.type.empty()) {
      return unexpected(fmt::format("{}: entry {} needs \"id\", \"secret\" and \"type\"", where, i));
    }
    devices.push_back(std::move(device));
  }
  return devices;
}

json::array to_json(const std::vector<Credentials>& devices) {
  json::array list;
  for (const Credentials& device : devices) {
    list.push_back(json::object{{"id", device.id}, {"secret", device.secret}, {"type", device.type},
                                {"name", device.name}});
  }
  return list;
}

Expected<std::vector<Credentials>, std::string> read_credentials(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return unexpected(fmt::format("cannot read {}", file.string()));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code error;
  const json::value document = json::parse(text, error);
  if (error) return unexpected(fmt::format("{} is not JSON: {}", file.string(), error.message()));
  return credentials_from_json(document, file.string());
}

// One simulated device: its connection and its behaviour, which the fleet's thread (sets,
// actions) and the clock thread (time passing) share under `mutex`.
struct Simulator::Simulated {
  Simulated(const Credentials& credentials, const device::Options& options, Behaviour behaviour)
      : label(credentials.name.empty() ? credentials.id : credentials.name),
        connection(options),
        behaviour(std::move(behaviour)) {}

  std::string label;
  device::Device connection;
  std::mutex mutex;
  Behaviour behaviour;
};

Simulator::Simulator(SimulatorOptions options) : options_(std::move(options)) {}

Expected<std::unique_ptr<Simulator>, std::string> Simulator::create(const spec::Catalog& catalog,
                                                                    std::vector<Credentials> devices,
                                                                    SimulatorOptions options) {
  if (devices.empty()) return unexpected(std::string("no devices to simulate"));
  std::unique_ptr<Simulator> simulator(new Simulator(std::move(options)));
  Simulator& self = *simulator;
  const auto now = Behaviour::Clock::now();
  for (const Credentials& credentials : devices) {
    const spec::DeviceType* type = catalog.find(credentials.type);
    if (!type) {
      return unexpected(fmt::format("device {} has type '{}', which the catalog does not have",
                                    credentials.id, credentials.type));
    }
    device::Options connection;
    connection.host = self.options_.host;
    connection.port = self.options_.port;
    connection.tls = self.options_.tls;
    connection.tls_ca_file = self.options_.tls_ca_file;
    connection.id = credentials.id;
    connection.secret = credentials.secret;
    connection.keep_alive = std::chrono::seconds(60);
    connection.reconnect_delay_min = std::chrono::milliseconds(500);
    connection.reconnect_delay_max = std::chrono::seconds(30);
    try {
      auto& simulated = *self.devices_.emplace_back(std::make_unique<Simulated>(
          credentials, connection,
          Behaviour(*type, credentials.id, std::hash<std::string>{}(credentials.id), now)));
      simulated.connection.on_connection([&self, &simulated](const device::ConnectionEvent& event) {
        using Kind = device::ConnectionEvent::Kind;
        if (event.kind == Kind::kConnected) {
          json::object state;
          {
            std::lock_guard lock(simulated.mutex);
            state = simulated.behaviour.state();
          }
          (void)simulated.connection.report(std::move(state));
          return;
        }
        if (event.kind == Kind::kRefused) ++self.refused_;
        if (self.options_.on_problem) self.options_.on_problem(simulated.label, event.message);
      });
      simulated.connection.on_set_any([&self, &simulated](std::string_view property, const json::value& value) {
        ++self.sets_;
        json::object also;
        {
          std::lock_guard lock(simulated.mutex);
          also = simulated.behaviour.apply(property, value);
        }
        if (!also.empty()) (void)simulated.connection.report(std::move(also));
        return device::Status::ok();
      });
      for (const spec::Service& service : type->services) {
        for (const spec::Action& action : service.actions) {
          simulated.connection.on_action(
              spec::qualified_name(service, action.name),
              [&self, &simulated, name = spec::qualified_name(service, action.name)](const json::object& in) {
                ++self.actions_;
                Output effects;
                json::object out;
                {
                  std::lock_guard lock(simulated.mutex);
                  out = simulated.behaviour.act(name, in, effects);
                }
                if (!effects.report.empty()) (void)simulated.connection.report(std::move(effects.report));
                return device::ActionResult(std::move(out));
              });
        }
      }
    } catch (const std::invalid_argument& error) {
      return unexpected(fmt::format("device {}: {}", credentials.id, error.what()));
    }
  }
  return simulator;
}

Simulator::~Simulator() { stop(); }

void Simulator::start() {
  if (fleet_) return;
  fleet_ = std::make_unique<device::Fleet>();
  for (auto& simulated : devices_) simulated->connection.start(*fleet_);
  {
    std::lock_guard lock(clock_mutex_);
    clock_stop_ = false;
  }
  clock_ = std::thread([this] {
    name_this_thread("sim-clock");
    run_clock();
  });
}

void Simulator::stop() {
  if (!fleet_) return;
  {
    std::lock_guard lock(clock_mutex_);
    clock_stop_ = true;
  }
  clock_wake_.notify_all();
  clock_.join();
  fleet_.reset();  // stops every device
}

void Simulator::run_clock() {
  std::unique_lock lock(clock_mutex_);
  while (!clock_wake_.wait_for(lock, std::chrono::seconds(1), [this] { return clock_stop_; })) {
    lock.unlock();
    const auto now = Behaviour::Clock::now();
    for (auto& simulated : devices_) {
      if (!simulated->connection.connected()) continue;  // time passes for it when it is back
      Output out;
      {
        std::lock_guard device_lock(simulated->mutex);
        out = simulated->behaviour.advance(now);
      }
      if (!out.report.empty() && simulated->connection.report(std::move(out.report)).is_ok()) ++reports_;
      for (Event& event : out.events) {
        if (simulated->connection.event(event.name, std::move(event.arguments)).is_ok()) ++events_;
      }
    }
    lock.lock();
  }
}

SimulatorCounts Simulator::counts() const {
  SimulatorCounts counts;
  counts.devices = devices_.size();
  std::size_t online = 0;
  for (const auto& simulated : devices_) online += simulated->connection.connected() ? 1 : 0;
  counts.online = online;
  counts.refused = refused_;
  counts.reports = reports_;
  counts.events = events_;
  counts.sets = sets_;
  counts.actions = actions_;
  return counts;
}

}  // namespace millet::sim
