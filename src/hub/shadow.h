#pragma once
// Shadows: what millet knows of each device's state — the last value reported
// for each property, with its time and a version that counts the reports, and
// whether the device is online (DESIGN.md, "The data flow"; docs/storage.md,
// "Shadows").
//
// Desired values — what a person or an automation set and the device has not
// reported yet — are kept beside the reported ones and sent again when the
// device comes back (docs/device-protocol.md, "Setting properties").
//
// A device's shadow lives on the shard that holds its MQTT session (its id is
// its client id), so a report updates it on the thread that received it, with
// no lock. A ShadowTable is touched only on its shard's thread.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hub/history.h"
#include "spec/value.h"
#include "store/kv_store.h"

namespace millet::hub {

struct PropertyState {
  spec::Value value;
  std::int64_t time_ms = 0;
  std::uint64_t version = 0;  // 1 for the first report, then one more per report
};

inline std::uint32_t property_key(PropertyId id) { return std::uint32_t{id.siid} << 16 | id.piid; }
inline PropertyId property_id(std::uint32_t key) {
  return {static_cast<std::uint16_t>(key >> 16), static_cast<std::uint16_t>(key & 0xFFFF)};
}

// A value someone asked the device to take, until it reports it (or refuses).
struct DesiredState {
  spec::Value value;
  std::int64_t time_ms = 0;
  std::uint64_t version = 0;  // 1 for the first set of the property, then one more per set
  std::string request_id;     // the set that asked for it: "s-..."
};

struct Shadow {
  std::map<std::uint32_t, PropertyState> reported;  // by property_key
  std::map<std::uint32_t, DesiredState> desired;    // by property_key
  // The version of each property's last set, kept after its desired value
  // settles so that versions keep counting (in memory: they restart after a
  // restart for settled properties).
  std::map<std::uint32_t, std::uint64_t> desired_versions;
  std::int64_t last_seen_ms = 0;                    // last report or connection
  bool online = false;
};

class ShadowTable {
 public:
  Shadow& at(std::string_view device_id);
  const Shadow* find(std::string_view device_id) const;

  // Records a reported value in memory and its record in `batch`.
  void report(store::WriteBatch& batch, std::string_view device_id, PropertyId property, spec::Value value,
              std::int64_t time_ms);

  // Records a desired value in memory and its record in `batch`.
  void desire(store::WriteBatch& batch, std::string_view device_id, PropertyId property, spec::Value value,
              std::int64_t time_ms, std::string request_id);
  // Drops the device's whole shadow (memory and `batch`): it was removed.
  void forget(store::WriteBatch& batch, std::string_view device_id);
  // Drops a desired value (memory and `batch`), if there is one.
  void settle(store::WriteBatch& batch, std::string_view device_id, PropertyId property);

  // Reads every stored shadow into the table `table_for(device id)` returns.
  // Damaged records are skipped with a warning.
  static store::Status load(store::KvStore& store, const std::function<ShadowTable&(std::string_view)>& table_for);

 private:
  std::unordered_map<std::string, Shadow> devices_;
};

}  // namespace millet::hub
