#include "hub/history.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "hub/value_codec.h"

namespace millet::hub {
namespace {

// Keys: device id, 0x00, siid (u16 BE), piid (u16 BE), level (u8), time (u64 BE,
// milliseconds since the epoch with the sign bit flipped, so that order holds).

std::string device_prefix(std::string_view device_id) {
  std::string key(device_id);
  key.push_back('\0');
  return key;
}

std::string series_prefix(std::string_view device_id, PropertyId property, HistoryLevel level) {
  std::string key = device_prefix(device_id);
  put_be(key, property.siid, 2);
  put_be(key, property.piid, 2);
  key.push_back(static_cast<char>(level));
  return key;
}

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;

std::string series_key(std::string_view prefix, std::int64_t time_ms) {
  std::string key(prefix);
  put_be(key, static_cast<std::uint64_t>(time_ms) ^ kSignBit, 8);
  return key;
}

std::int64_t key_time(std::string_view key) {
  return static_cast<std::int64_t>(get_be(key, key.size() - 8, 8) ^ kSignBit);
}

// Rollups: count (u32 BE), then min, max, sum (IEEE 754 doubles, BE).
std::string encode_rollup(const Rollup& rollup) {
  std::string out;
  put_be(out, rollup.count, 4);
  for (double d : {rollup.min, rollup.max, rollup.sum}) put_be(out, std::bit_cast<std::uint64_t>(d), 8);
  return out;
}

std::optional<Rollup> decode_rollup(std::int64_t time_ms, std::string_view in) {
  if (in.size() != 28) return std::nullopt;
  Rollup rollup{.time_ms = time_ms};
  rollup.count = static_cast<std::uint32_t>(get_be(in, 0, 4));
  rollup.min = std::bit_cast<double>(get_be(in, 4, 8));
  rollup.max = std::bit_cast<double>(get_be(in, 12, 8));
  rollup.sum = std::bit_cast<double>(get_be(in, 20, 8));
  return rollup;
}

// A value as a number for rollups; strings have none.
std::optional<double> as_number(const spec::Value& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? 1.0 : 0.0;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return std::nullopt;
}

std::int64_t bucket_start(std::int64_t time_ms, std::int64_t width) {
  const std::int64_t remainder = time_ms % width;
  return time_ms - (remainder < 0 ? remainder + width : remainder);
}

constexpr HistoryLevel kRollupLevels[] = {HistoryLevel::kFiveMinutes, HistoryLevel::kHour};

// Rollups kept open in memory, at most; past it the cache starts over (each
// series then reads its bucket from the store once more).
constexpr std::size_t kMaxOpenRollups = 200'000;

}  // namespace

std::string_view level_name(HistoryLevel level) {
  switch (level) {
    case HistoryLevel::kRaw: return "raw";
    case HistoryLevel::kFiveMinutes: return "5m";
    case HistoryLevel::kHour: return "1h";
  }
  return "raw";
}

std::optional<HistoryLevel> parse_level(std::string_view name) {
  for (HistoryLevel level : {HistoryLevel::kRaw, HistoryLevel::kFiveMinutes, HistoryLevel::kHour}) {
    if (level_name(level) == name) return level;
  }
  return std::nullopt;
}

std::int64_t level_width_ms(HistoryLevel level) {
  switch (level) {
    case HistoryLevel::kRaw: return 0;
    case HistoryLevel::kFiveMinutes: return 5 * 60 * 1000;
    case HistoryLevel::kHour: return 3600 * 1000;
  }
  return 0;
}

void Rollup::add(double value) {
  min = count ? std::min(min, value) : value;
  max = count ? std::max(max, value) : value;
  sum += value;
  ++count;
}

std::optional<Rollup> History::rollup_from_raw(std::string_view device_id, PropertyId property, HistoryLevel level,
                                               std::int64_t start) const {
  const std::string raw = series_prefix(device_id, property, HistoryLevel::kRaw);
  Rollup rollup{.time_ms = start};
  (void)store_.scan_range(store::Space::kHistory, series_key(raw, start),
                          series_key(raw, start + level_width_ms(level)), [&](std::string_view, std::string_view value) {
                            if (auto v = decode_value(value)) {
                              if (auto n = as_number(*v)) rollup.add(*n);
                            }
                            return true;
                          });
  if (rollup.count == 0) return std::nullopt;
  return rollup;
}

std::optional<std::int64_t> History::last_raw_time(std::string_view device_id, PropertyId property,
                                                   std::int64_t before_ms) const {
  const std::string raw = series_prefix(device_id, property, HistoryLevel::kRaw);
  std::optional<std::int64_t> time;
  (void)store_.last_in_range(store::Space::kHistory, raw, series_key(raw, before_ms),
                             [&](std::string_view key, std::string_view) {
                               time = key_time(key);
                               return false;
                             });
  return time;
}

// Rollups are kept in memory while their bucket fills and written when it
// closes — when a value for a later bucket arrives — so a report costs one
// write for its value, not one per level. What is in memory is derived from
// raw values that are already stored, so nothing is lost with it: after a
// restart the first value of a series rewrites, from the raw values, the
// bucket its previous value fell in (the one that was open), and a query
// computes an open bucket that is not in memory from the raw values too.
store::Status History::record(store::WriteBatch& batch, std::string_view device_id, PropertyId property,
                              std::int64_t time_ms, const spec::Value& value) {
  batch.put(store::Space::kHistory, series_key(series_prefix(device_id, property, HistoryLevel::kRaw), time_ms),
            encode_value(value));
  const auto number = as_number(value);
  if (!number) return {};
  std::lock_guard lock(mutex_);
  if (open_.size() > kMaxOpenRollups) {
    for (const auto& [prefix, rollup] : open_) {
      batch.put(store::Space::kHistory, series_key(prefix, rollup.time_ms), encode_rollup(rollup));
    }
    open_.clear();
  }
  for (HistoryLevel level : kRollupLevels) {
    const std::string prefix = series_prefix(device_id, property, level);
    const std::int64_t start = bucket_start(time_ms, level_width_ms(level));
    auto open = open_.find(prefix);
    if (open != open_.end() && open->second.time_ms == start) {
      open->second.add(*number);  // the usual case: the bucket being filled
      continue;
    }
    if (open != open_.end() && open->second.time_ms > start) {
      // A late value for a closed bucket: rewrite that bucket from its raw values.
      // (Its raw values in a batch not yet written are not seen; devices report in order.)
      Rollup late = rollup_from_raw(device_id, property, level, start).value_or(Rollup{.time_ms = start});
      late.add(*number);
      batch.put(store::Space::kHistory, series_key(prefix, start), encode_rollup(late));
      continue;
    }
    if (open != open_.end()) {
      batch.put(store::Space::kHistory, series_key(prefix, open->second.time_ms), encode_rollup(open->second));
    } else if (auto previous = last_raw_time(device_id, property, start)) {
      // First value since a start: the bucket of the previous value may have been open.
      const std::int64_t previous_start = bucket_start(*previous, level_width_ms(level));
      if (auto rollup = rollup_from_raw(device_id, property, level, previous_start)) {
        batch.put(store::Space::kHistory, series_key(prefix, previous_start), encode_rollup(*rollup));
      }
    }
    Rollup fresh = rollup_from_raw(device_id, property, level, start).value_or(Rollup{.time_ms = start});
    fresh.add(*number);
    open_[prefix] = fresh;
  }
  return {};
}

Expected<HistoryRange, std::string> History::query(std::string_view device_id, PropertyId property,
                                                   std::int64_t from_ms, std::int64_t to_ms,
                                                   std::optional<HistoryLevel> level, std::size_t limit) const {
  HistoryRange range;
  if (level) {
    range.level = *level;
  } else {
    const std::int64_t span = to_ms - from_ms;
    range.level = span <= kRawSpanMs ? HistoryLevel::kRaw
                  : span <= kFiveMinutesSpanMs ? HistoryLevel::kFiveMinutes
                                                : HistoryLevel::kHour;
  }
  if (to_ms <= from_ms || limit == 0) return range;
  const auto read = [&](HistoryLevel at) {
    const std::string prefix = series_prefix(device_id, property, at);
    // A rollup that began before `from` but overlaps it is included.
    const std::int64_t begin = at == HistoryLevel::kRaw ? from_ms : bucket_start(from_ms, level_width_ms(at));
    return store_.scan_range(store::Space::kHistory, series_key(prefix, begin), series_key(prefix, to_ms),
                             [&](std::string_view key, std::string_view value) {
                               const std::size_t count = at == HistoryLevel::kRaw ? range.points.size()
                                                                                   : range.rollups.size();
                               if (count == limit) {  // one more exists: the answer is cut
                                 range.truncated = true;
                                 return false;
                               }
                               if (at == HistoryLevel::kRaw) {
                                 if (auto v = decode_value(value)) range.points.push_back({key_time(key), std::move(*v)});
                               } else if (auto r = decode_rollup(key_time(key), value)) {
                                 range.rollups.push_back(*r);
                               }
                               return true;
                             });
  };
  if (auto status = read(range.level); !status) return unexpected(status.error());
  if (range.level != HistoryLevel::kRaw) {
    complete_last_bucket(device_id, property, range, from_ms, to_ms);
    if (range.rollups.size() > limit) {  // the latest bucket came from memory
      range.rollups.resize(limit);
      range.truncated = true;
    }
  }
  if (range.level != HistoryLevel::kRaw && range.rollups.empty() && !level) {
    // No rollups: perhaps the property is a string, whose raw values are its history.
    const HistoryLevel chosen = range.level;
    range.level = HistoryLevel::kRaw;
    if (auto status = read(HistoryLevel::kRaw); !status) return unexpected(status.error());
    if (range.points.empty()) range.level = chosen;  // nothing at all: say the level the span called for
  }
  return range;
}

void History::complete_last_bucket(std::string_view device_id, PropertyId property, HistoryRange& range,
                                   std::int64_t from_ms, std::int64_t to_ms) const {
  const std::int64_t width = level_width_ms(range.level);
  std::optional<Rollup> last;
  {
    std::lock_guard lock(mutex_);
    auto open = open_.find(series_prefix(device_id, property, range.level));
    if (open != open_.end()) last = open->second;
  }
  if (!last) {
    // Not in memory (a restart since): the bucket of the last value may never have been written.
    if (auto time = last_raw_time(device_id, property, to_ms)) {
      last = rollup_from_raw(device_id, property, range.level, bucket_start(*time, width));
    }
  }
  if (!last || last->time_ms < bucket_start(from_ms, width) || last->time_ms >= to_ms) return;
  auto& rollups = range.rollups;
  auto at = std::lower_bound(rollups.begin(), rollups.end(), last->time_ms,
                             [](const Rollup& r, std::int64_t time) { return r.time_ms < time; });
  if (at != rollups.end() && at->time_ms == last->time_ms) {
    *at = *last;  // memory and raw values are newer than what is stored
  } else {
    rollups.insert(at, *last);
  }
}

Expected<std::size_t, std::string> History::prune(store::WriteBatch& batch, std::string_view device_id,
                                                  PropertyId property, std::int64_t now_ms,
                                                  const Retention& retention) {
  std::size_t erased = 0;
  const std::pair<HistoryLevel, std::chrono::hours> levels[] = {{HistoryLevel::kRaw, retention.raw},
                                                                 {HistoryLevel::kFiveMinutes, retention.five_minutes},
                                                                 {HistoryLevel::kHour, retention.hour}};
  for (const auto& [level, keep] : levels) {
    const std::string prefix = series_prefix(device_id, property, level);
    const std::int64_t cutoff = now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(keep).count();
    auto status = store_.scan_range(store::Space::kHistory, prefix, series_key(prefix, cutoff),
                                    [&](std::string_view key, std::string_view) {
                                      batch.erase(store::Space::kHistory, key);
                                      ++erased;
                                      return true;
                                    });
    if (!status) return unexpected(status.error());
  }
  return erased;
}

Expected<std::size_t, std::string> History::erase_device(store::WriteBatch& batch, std::string_view device_id) {
  std::size_t erased = 0;
  auto status = store_.scan(store::Space::kHistory, device_prefix(device_id), [&](std::string_view key, std::string_view) {
    batch.erase(store::Space::kHistory, key);
    ++erased;
    return true;
  });
  if (!status) return unexpected(status.error());
  std::lock_guard lock(mutex_);
  const std::string prefix = device_prefix(device_id);
  std::erase_if(open_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
  return erased;
}

}  // namespace millet::hub
