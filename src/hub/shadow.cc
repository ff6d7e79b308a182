#include "hub/shadow.h"

#include <spdlog/spdlog.h>

#include "hub/value_codec.h"

namespace millet::hub {
namespace {

// Key: device id, 0x00, kind, siid (u16 BE), piid (u16 BE).
// Reported: time (i64 BE, ms since the epoch), version (u64 BE), then the value.
// Desired: time (i64 BE), version (u64 BE), request id (u8 length, bytes), then the value.
constexpr char kReported = 'r';
constexpr char kDesired = 'd';

std::string shadow_key(std::string_view device_id, PropertyId property, char kind = kReported) {
  std::string key(device_id);
  key.push_back('\0');
  key.push_back(kind);
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

void ShadowTable::desire(store::WriteBatch& batch, std::string_view device_id, PropertyId property,
                         spec::Value value, std::int64_t time_ms, std::string request_id) {
  Shadow& shadow = at(device_id);
  DesiredState& state = shadow.desired[property_key(property)];
  state.value = std::move(value);
  state.time_ms = time_ms;
  state.version = ++shadow.desired_versions[property_key(property)];
  state.request_id = std::move(request_id);
  std::string record;
  put_be(record, static_cast<std::uint64_t>(state.time_ms), 8);
  put_be(record, state.version, 8);
  const std::size_t id_length = std::min<std::size_t>(state.request_id.size(), 255);
  record.push_back(static_cast<char>(id_length));
  record.append(state.request_id, 0, id_length);
  append_value(record, state.value);
  batch.put(store::Space::kShadows, shadow_key(device_id, property, kDesired), record);
}

void ShadowTable::forget(store::WriteBatch& batch, std::string_view device_id) {
  auto it = devices_.find(std::string(device_id));
  if (it == devices_.end()) return;
  for (const auto& [key, state] : it->second.reported) batch.erase(store::Space::kShadows, shadow_key(device_id, property_id(key)));
  for (const auto& [key, state] : it->second.desired) {
    batch.erase(store::Space::kShadows, shadow_key(device_id, property_id(key), kDesired));
  }
  devices_.erase(it);
}

void ShadowTable::settle(store::WriteBatch& batch, std::string_view device_id, PropertyId property) {
  auto it = devices_.find(std::string(device_id));
  if (it == devices_.end() || it->second.desired.erase(property_key(property)) == 0) return;
  batch.erase(store::Space::kShadows, shadow_key(device_id, property, kDesired));
}

namespace {

// A desired record's parts; nullopt when damaged.
std::optional<DesiredState> decode_desired(std::string_view value) {
  if (value.size() < 17) return std::nullopt;
  const std::size_t id_length = static_cast<std::uint8_t>(value[16]);
  if (value.size() < 17 + id_length) return std::nullopt;
  auto decoded = decode_value(value.substr(17 + id_length));
  if (!decoded) return std::nullopt;
  return DesiredState{std::move(*decoded), static_cast<std::int64_t>(get_be(value, 0, 8)), get_be(value, 8, 8),
                      std::string(value.substr(17, id_length))};
}

}  // namespace

store::Status ShadowTable::load(store::KvStore& store, const std::function<ShadowTable&(std::string_view)>& table_for) {
  return store.scan(store::Space::kShadows, "", [&](std::string_view key, std::string_view value) {
    const auto nul = key.find('\0');
    const char kind = nul != std::string_view::npos && key.size() == nul + 6 ? key[nul + 1] : 0;
    if (kind == kDesired) {
      auto desired = decode_desired(value);
      if (!desired) {
        spdlog::warn("store: skipping a damaged desired-value record");
        return true;
      }
      const std::string_view device_id = key.substr(0, nul);
      const PropertyId property{static_cast<std::uint16_t>(get_be(key, nul + 2, 2)),
                                static_cast<std::uint16_t>(get_be(key, nul + 4, 2))};
      Shadow& shadow = table_for(device_id).at(device_id);
      shadow.desired_versions[property_key(property)] = desired->version;
      shadow.desired[property_key(property)] = std::move(*desired);
      return true;
    }
    auto value_part = value.size() > 16 ? decode_value(value.substr(16)) : std::nullopt;
    if (kind != kReported || !value_part) {
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
