#pragma once
// KvStore: the embedded key-value interface every module persists through.
//
// Records are grouped in spaces (one per kind of record; a RocksDB column family
// each). Keys are byte strings ordered bytewise, so a key that starts with an
// owner's id followed by a big-endian counter can be range-scanned in order.
//
// Thread safety: every method may be called from any thread.
// Durability: once write() returns success, the batch survives a crash of the
// process (kill -9); see docs/storage.md.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace millet::store {

enum class Space : unsigned char {
  kRetained,         // MQTT retained messages, by topic
  kSessions,         // MQTT persistent sessions (and wills), by client id
  kSessionMessages,  // messages queued for a session, by client id + sequence
  kUsers,            // people and their API tokens (docs/storage.md, "Registry")
  kHomes,            // homes, their rooms and who may use them
  kDevices,          // devices: type, place, names, hashed secret
  kHistory,          // reported values and their rollups, by device | property | level | time
  kShadows,          // each device's last reported (and desired) value per property
  kAutomations,      // rules, scenes, each home's mode and place, runs paused in a delay or wait
};
inline constexpr int kSpaceCount = 9;
std::string_view space_name(Space space);

using Status = Expected<void, std::string>;

// A set of puts and erases applied atomically by KvStore::write.
class WriteBatch {
 public:
  struct Operation {
    Space space;
    bool erase;
    std::string key;
    std::string value;
  };

  void put(Space space, std::string_view key, std::string_view value) {
    operations_.push_back({space, false, std::string(key), std::string(value)});
  }
  void erase(Space space, std::string_view key) {
    operations_.push_back({space, true, std::string(key), {}});
  }
  bool empty() const { return operations_.empty(); }
  std::size_t size() const { return operations_.size(); }
  void clear() { operations_.clear(); }
  const std::vector<Operation>& operations() const { return operations_; }

 private:
  std::vector<Operation> operations_;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  // Applies the whole batch or none of it.
  virtual Status write(const WriteBatch& batch) = 0;

  // Calls `visit(key, value)` for every record of `space` whose key starts with
  // `prefix`, in key order, until `visit` returns false.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  virtual Status scan(Space space, std::string_view prefix, const Visitor& visit) = 0;
  // The same for every record with `begin` <= key < `end`.
  virtual Status scan_range(Space space, std::string_view begin, std::string_view end, const Visitor& visit) = 0;
  // Calls `visit` once with the record of the greatest key in [`begin`, `end`), if any.
  virtual Status last_in_range(Space space, std::string_view begin, std::string_view end, const Visitor& visit) = 0;
};

// Opens (creating if needed) a RocksDB store in `directory`. Fails with a
// message that says why, e.g. when another process holds the directory.
Expected<std::unique_ptr<KvStore>, std::string> open_rocksdb_store(const std::string& directory);

// A store in memory, for tests: same semantics, nothing survives the process.
std::unique_ptr<KvStore> make_memory_store();

}  // namespace millet::store
