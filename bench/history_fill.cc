// bench/history_fill: fills one device's history for the history benchmark in
// bench/compare-mosquitto — a property reported every --interval seconds for
// --days days up to now, written through hub::History (raw values and their
// rollups) into the store of a millet that is not running. Devices cannot
// report values older than 7 days, so a year of history cannot be made over MQTT.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "base/wall_clock.h"
#include "hub/history.h"
#include "hub/registry.h"
#include "spec/catalog.h"
#include "store/kv_store.h"

int main(int argc, char** argv) {
  using namespace millet;
  CLI::App app("Fill a device's history with a property reported at a fixed interval (for benchmarks)");
  std::string data_dir, device_id, property = "environment.temperature", spec_dir = MILLET_SOURCE_SPEC_DIR;
  int days = 365;
  double interval_s = 10;
  app.add_option("--data-dir", data_dir, "The data directory of a millet that is not running")->required();
  app.add_option("--device", device_id, "The device's id")->required();
  app.add_option("--property", property, "The property")->capture_default_str();
  app.add_option("--days", days, "How many days up to now")->capture_default_str()->check(CLI::Range(1, 3650));
  app.add_option("--interval", interval_s, "Seconds between values")->capture_default_str()->check(CLI::Range(1.0, 86400.0));
  app.add_option("--spec-dir", spec_dir, "Device catalog folder")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto catalog = spec::Catalog::load(spec_dir);
  if (!catalog) return fmt::print(stderr, "{}\n", catalog.error()), 1;
  auto store = store::open_rocksdb_store((std::filesystem::path(data_dir) / "store").string());
  if (!store) return fmt::print(stderr, "{}\n", store.error()), 1;
  auto registry = hub::Registry::open(**store, *catalog);
  if (!registry) return fmt::print(stderr, "{}\n", registry.error()), 1;
  auto device = (*registry)->find_device(device_id);
  if (!device) return fmt::print(stderr, "no device {}\n", device_id), 1;
  const spec::DeviceType* type = catalog->find(device->type);
  auto found = type ? type->find_property(property) : std::nullopt;
  if (!found) return fmt::print(stderr, "{} has no property {}\n", device->type, property), 1;
  const hub::PropertyId id{static_cast<std::uint16_t>(found->service->siid),
                           static_cast<std::uint16_t>(found->member->piid)};

  hub::History history(**store);
  const std::int64_t step = static_cast<std::int64_t>(interval_s * 1000);
  const std::int64_t now = wall_clock_ms();
  const std::int64_t start = now - std::int64_t{days} * 24 * 3600 * 1000;
  store::WriteBatch batch;
  std::size_t written = 0;
  for (std::int64_t t = start; t < now; t += step) {
    // A day's swing around 21 °C, to two decimals.
    const double value = std::round((21 + 4 * std::sin(static_cast<double>(t % 86'400'000) / 86'400'000 * 6.283)) * 100) / 100;
    if (auto recorded = history.record(batch, device->id, id, t, spec::Value(value)); !recorded) {
      return fmt::print(stderr, "{}\n", recorded.error()), 1;
    }
    if (++written % 50'000 == 0) {
      if (auto ok = (*store)->write(batch); !ok) return fmt::print(stderr, "{}\n", ok.error()), 1;
      batch.clear();
      if (written % 500'000 == 0) fmt::print(stderr, "history_fill: {} values\n", written);
    }
  }
  if (auto ok = (*store)->write(batch); !ok) return fmt::print(stderr, "{}\n", ok.error()), 1;
  fmt::print("{}\n", written);
  return 0;
}
