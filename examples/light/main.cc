// millet-example-light: a simulated light — a device of type `light`
// (spec/devices/light.json) — connected to millet with the device library.
// Copy it to start your own device; docs/device-library.md explains the library.
//
//   millet-example-light --host 127.0.0.1 --id d-... --secret ...

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>
#include <thread>

#include "device/device.h"

namespace json = boost::json;
using millet::device::ActionResult;
using millet::device::ConnectionEvent;
using millet::device::Status;

namespace {

// The light itself. A real device would drive its LED driver here.
struct Light {
  bool on = false;
  int brightness = 80;            // light.brightness: 1-100 %
  int color_temperature = 4000;   // light.color-temperature: 2700-6500 K on this model

  json::object state() const {
    return {{"light.on", on}, {"light.brightness", brightness}, {"light.color-temperature", color_temperature}};
  }
};

// Sets the light's value and prints the change. The same value may come twice (millet
// resends what it has not seen reported): then nothing changes and nothing is printed.
template <class T>
void change(T& current, T wanted, const char* what) {
  if (current == wanted) return;
  current = wanted;
  std::cout << what << " → " << std::boolalpha << wanted << std::endl;
}

// An integer within [low, high], or nothing.
std::optional<int> integer_in(const json::value& value, int low, int high) {
  boost::system::error_code error;
  const int number = value.to_number<int>(error);
  if (error || number < low || number > high) return std::nullopt;
  return number;
}

std::atomic<bool> interrupted = false;

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"A simulated light that connects to millet as a device (see docs/device-library.md)."};
  millet::device::Options options;
  app.add_option("--host", options.host, "millet's MQTT host")->capture_default_str();
  app.add_option("--port", options.port, "millet's MQTT port")->capture_default_str();
  app.add_option("--id", options.id, "the device's id, from `millet device add`")
      ->envname("MILLET_DEVICE_ID")->required();
  app.add_option("--secret", options.secret, "the device's secret")->envname("MILLET_DEVICE_SECRET")->required();
  app.add_option("--ca-file", options.tls_ca_file, "connect with TLS, checking millet's certificate against this CA");
  bool mqtt311 = false;
  app.add_flag("--mqtt311", mqtt311, "speak MQTT 3.1.1 instead of 5 (millet then cannot say why a report is refused)");
  CLI11_PARSE(app, argc, argv);
  if (mqtt311) options.protocol = millet::device::Protocol::kMqtt311;

  Light light;
  millet::device::Device device(options);

  device.on_connection([&](const ConnectionEvent& event) {
    switch (event.kind) {
      case ConnectionEvent::Kind::kConnected:
        std::cout << "connected as " << device.id() << std::endl;
        (void)device.report(light.state());  // millet learns the light's state on every connection
        break;
      case ConnectionEvent::Kind::kDisconnected:
        std::cerr << "disconnected: " << event.message << "; retrying in " << event.retry_in.count() << " ms"
                  << std::endl;
        break;
      case ConnectionEvent::Kind::kRefused:
        std::cerr << "refused: " << event.message << std::endl;
        break;
    }
  });

  // Sets: one handler per writable property. The library reports the new values and
  // answers millet; a handler only checks and applies.
  device.on_set("light.on", [&](const json::value& value) {
    if (!value.is_bool()) return Status::error("light.on must be true or false");
    change(light.on, value.get_bool(), "on");
    return Status::ok();
  });
  device.on_set("light.brightness", [&](const json::value& value) {
    const auto brightness = integer_in(value, 1, 100);
    if (!brightness) return Status::error("light.brightness must be an integer in [1, 100]");
    change(light.brightness, *brightness, "brightness");
    return Status::ok();
  });
  device.on_set("light.color-temperature", [&](const json::value& value) {
    const auto kelvin = integer_in(value, 2700, 6500);
    if (!kelvin) return Status::error("this light's color temperature is 2700 to 6500 K");
    change(light.color_temperature, *kelvin, "color temperature");
    return Status::ok();
  });

  // Actions: the handler does it and reports what changed.
  device.on_action("light.toggle", [&](const json::object&) {
    change(light.on, !light.on, "on");
    (void)device.report({{"light.on", light.on}});
    return ActionResult();
  });
  const auto step_brightness = [&](int step) {
    return [&light, &device, step](const json::object&) {
      change(light.brightness, std::clamp(light.brightness + step, 1, 100), "brightness");
      (void)device.report({{"light.brightness", light.brightness}});
      return ActionResult();
    };
  };
  device.on_action("light.brightness-up", step_brightness(+10));
  device.on_action("light.brightness-down", step_brightness(-10));

  // Runs until Ctrl-C, or until millet refuses the device's credentials.
  std::signal(SIGINT, [](int) { interrupted = true; });
  std::signal(SIGTERM, [](int) { interrupted = true; });
  device.start();
  while (!interrupted && device.running()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const Status ended = device.stop();
  return ended.is_ok() ? 0 : 1;
} catch (const std::exception& error) {  // unusable options
  std::cerr << "millet-example-light: " << error.what() << std::endl;
  return 1;
}
