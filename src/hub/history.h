#pragma once
// History: every value a device reports, kept with its time, and rollups of
// numeric and bool properties per 5 minutes and per hour (min, max, average,
// count) so that a long range is read from a few thousand records, not from
// millions (docs/storage.md, "History").
//
// Writes go into the caller's write batch, so a report's history is durable
// together with the rest of what the report changed, before it is
// acknowledged. Any thread may call; the rollups being filled are cached
// behind a mutex.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/expected.h"
#include "spec/value.h"
#include "store/kv_store.h"

namespace millet::hub {

struct PropertyId {
  std::uint16_t siid = 0;
  std::uint16_t piid = 0;
};

enum class HistoryLevel : std::uint8_t {
  kRaw = 0,          // every reported value
  kFiveMinutes = 1,  // a rollup per 5 minutes
  kHour = 2,         // a rollup per hour
};
std::string_view level_name(HistoryLevel level);  // "raw", "5m", "1h"
std::optional<HistoryLevel> parse_level(std::string_view name);
std::int64_t level_width_ms(HistoryLevel level);  // 0 for raw

struct HistoryPoint {
  std::int64_t time_ms = 0;
  spec::Value value;
};

// A rollup of the values reported in [time_ms, time_ms + width). Bools count
// as 0 and 1, so the average is the share of time-points that were true.
struct Rollup {
  std::int64_t time_ms = 0;
  double min = 0;
  double max = 0;
  double sum = 0;
  std::uint32_t count = 0;

  double average() const { return count ? sum / count : 0; }
  void add(double value);
};

struct HistoryRange {
  HistoryLevel level = HistoryLevel::kRaw;
  std::vector<HistoryPoint> points;  // level raw
  std::vector<Rollup> rollups;       // the other levels
  bool truncated = false;            // more values were in the range than the limit allowed
};

// How long each level is kept; a property may have its own.
struct Retention {
  std::chrono::hours raw{24 * 30};
  std::chrono::hours five_minutes{24 * 400};
  std::chrono::hours hour{24 * 3650};
};

class History {
 public:
  // Ranges up to this long are answered from raw values, up to kFiveMinutesSpan
  // from 5-minute rollups, longer ones from hourly rollups.
  static constexpr std::int64_t kRawSpanMs = 2LL * 24 * 3600 * 1000;
  static constexpr std::int64_t kFiveMinutesSpanMs = 62LL * 24 * 3600 * 1000;

  explicit History(store::KvStore& store) : store_(store) {}

  // Adds `value`, reported at `time_ms`, and its rollups to `batch`.
  store::Status record(store::WriteBatch& batch, std::string_view device_id, PropertyId property,
                       std::int64_t time_ms, const spec::Value& value);

  // The values in [from_ms, to_ms), at `level` or else at the level the span
  // calls for (strings always raw), at most `limit` of them (the earliest).
  Expected<HistoryRange, std::string> query(std::string_view device_id, PropertyId property, std::int64_t from_ms,
                                            std::int64_t to_ms, std::optional<HistoryLevel> level = std::nullopt,
                                            std::size_t limit = 100'000) const;

  // Adds to `batch` the erasure of everything older than `retention` allows
  // at `now_ms`; returns how many records go.
  Expected<std::size_t, std::string> prune(store::WriteBatch& batch, std::string_view device_id, PropertyId property,
                                           std::int64_t now_ms, const Retention& retention);

  // Adds to `batch` the erasure of a device's whole history.
  Expected<std::size_t, std::string> erase_device(store::WriteBatch& batch, std::string_view device_id);

 private:
  // The rollup of the stored raw values in the bucket starting at `start`; none if it has none.
  std::optional<Rollup> rollup_from_raw(std::string_view device_id, PropertyId property, HistoryLevel level,
                                        std::int64_t start) const;
  // The time of the last stored raw value before `before_ms`.
  std::optional<std::int64_t> last_raw_time(std::string_view device_id, PropertyId property,
                                            std::int64_t before_ms) const;
  // Puts the series' latest bucket — from memory, or computed from raw values —
  // into `range` if it falls within [from, to).
  void complete_last_bucket(std::string_view device_id, PropertyId property, HistoryRange& range, std::int64_t from_ms,
                            std::int64_t to_ms) const;

  store::KvStore& store_;
  mutable std::mutex mutex_;
  // The rollup being filled for each (device, property, level), by its key
  // prefix; written when its bucket closes (history.cc).
  std::unordered_map<std::string, Rollup> open_;
};

}  // namespace millet::hub
