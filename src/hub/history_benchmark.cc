// Reading history from RocksDB: a day of one property reported every 10 s
// (8,640 raw values), and a year of it through the hourly rollups (8,760).
// The API's targets are 10 ms and 50 ms for the whole request.

#include <benchmark/benchmark.h>

#include <filesystem>

#include "hub/credentials.h"
#include "hub/history.h"

namespace millet::hub {
namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kStart = 1'789'999'200'000;
constexpr PropertyId kProperty{2, 1};

struct Fixture {
  Fixture() {
    directory = std::filesystem::temp_directory_path() / ("millet-history-bench-" + random_id(""));
    store = std::move(*store::open_rocksdb_store(directory.string()));
    history = std::make_unique<History>(*store);
    // A year at one value per 5 minutes (the hourly rollups), and its last day at one per 10 s.
    store::WriteBatch batch;
    for (std::int64_t t = kStart; t < kStart + 365 * kDay; t += 5 * 60 * 1000) {
      (void)history->record(batch, "d-bench", kProperty, t, spec::Value(21.5));
      if (batch.size() > 10'000) {
        (void)store->write(batch);
        batch.clear();
      }
    }
    for (std::int64_t t = kStart + 364 * kDay; t < kStart + 365 * kDay; t += 10'000) {
      (void)history->record(batch, "d-bench", kProperty, t + 1, spec::Value(21.5));
    }
    (void)store->write(batch);
  }
  ~Fixture() {
    history.reset();
    store.reset();
    std::filesystem::remove_all(directory);
  }
  std::filesystem::path directory;
  std::unique_ptr<store::KvStore> store;
  std::unique_ptr<History> history;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_HistoryDayRaw(benchmark::State& state) {
  auto& f = fixture();
  std::size_t points = 0;
  for (auto _ : state) {
    auto range = f.history->query("d-bench", kProperty, kStart + 364 * kDay, kStart + 365 * kDay);
    points = range->points.size();
    benchmark::DoNotOptimize(range);
  }
  state.counters["points"] = static_cast<double>(points);
}
BENCHMARK(BM_HistoryDayRaw)->Unit(benchmark::kMillisecond);

void BM_HistoryYearHourly(benchmark::State& state) {
  auto& f = fixture();
  std::size_t rollups = 0;
  for (auto _ : state) {
    auto range = f.history->query("d-bench", kProperty, kStart, kStart + 365 * kDay);
    rollups = range->rollups.size();
    benchmark::DoNotOptimize(range);
  }
  state.counters["rollups"] = static_cast<double>(rollups);
}
BENCHMARK(BM_HistoryYearHourly)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace millet::hub

BENCHMARK_MAIN();
