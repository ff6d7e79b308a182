#include "hub/shadow.h"

#include <spdlog/spdlog.h>

#include "hub/value_codec.h"

namespace millet::hub {
namespace {

// Key: device id, 0x00, 'r', siid (u16 BE), piid (u16 BE).
// Value: time (i64 BE, ms since the epoch), version (u64 BE), then the value.
constexpr char kReported = 'r';

std::string shadow_key(std::string_view device_id, PropertyId property) {
  std::string key(device_id);
  key.push_back('\0');
  key.push_back(kReported);
  put_be(key, property.siid, 2);
  put_be(key, property.piid, 2);
  return key;
}

}  // namespace

Shadow& ShadowTable::at(std::string_view device_id) {
  auto it = devices_.find(std::string(device_id));
  if (it == devices_.end()) it = devices_.emplace(std::string(device_id), Shadow{}).first;
  return it->second;
}

const Shadow* ShadowTable::find(std::string_view device_id) const {
  auto it = devices_.find(std::string(device_id));
  return it == devices_.end() ? nullptr : &it->second;
}

void ShadowTable::report(store::WriteBatch& batch, std::string_view device_id, PropertyId property, spec::Value value,
                         std::int64_t time_ms) {
  Shadow& shadow = at(device_id);
  PropertyState& state = shadow.reported[property_key(property)];
  state.value = std::move(value);
  state.time_ms = time_ms;
  ++state.version;
  shadow.last_seen_ms = std::max(shadow.last_seen_ms, time_ms);
  std::string record;
  put_be(record, static_cast<std::uint64_t>(state.time_ms), 8);
  put_be(record, state.version, 8);
  append_value(record, state.value);
  batch.put(store::Space::kShadows, shadow_key(device_id, property), record);
}

store::Status ShadowTable::load(store::KvStore& store, const std::function<ShadowTable&(std::string_view)>& table_for) {
  return store.scan(store::Space::kShadows, "", [&](std::string_view key, std::string_view value) {
    const auto nul = key.find('\0');
    auto value_part = value.size() > 16 ? decode_value(value.substr(16)) : std::nullopt;
    if (nul == std::string_view::npos || key.size() != nul + 6 || key[nul + 1] != kReported || !value_part) {
      spdlog::warn("store: skipping a damaged shadow record");
      return true;
    }
    const std::string_view device_id = key.substr(0, nul);
    const PropertyId property{static_cast<std::uint16_t>(get_be(key, nul + 2, 2)),
                              static_cast<std::uint16_t>(get_be(key, nul + 4, 2))};
    Shadow& shadow = table_for(device_id).at(device_id);
    PropertyState& state = shadow.reported[property_key(property)];
    state.time_ms = static_cast<std::int64_t>(get_be(value, 0, 8));
    state.version = get_be(value, 8, 8);
    state.value = std::move(*value_part);
    shadow.last_seen_ms = std::max(shadow.last_seen_ms, state.time_ms);
    return true;
  });
}

}  // namespace millet::hub
