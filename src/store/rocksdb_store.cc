// The RocksDB implementation of KvStore: one column family per Space.

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/write_batch.h>

#include <array>

#include "store/kv_store.h"

namespace millet::store {

std::string_view space_name(Space space) {
  switch (space) {
    case Space::kRetained: return "retained";
    case Space::kSessions: return "sessions";
    case Space::kSessionMessages: return "session_messages";
    case Space::kUsers: return "users";
    case Space::kHomes: return "homes";
    case Space::kDevices: return "devices";
    case Space::kHistory: return "history";
    case Space::kShadows: return "shadows";
    case Space::kAutomations: return "automations";
  }
  return "unknown";
}

namespace {

class RocksDbStore final : public KvStore {
 public:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(std::move(db)) {
    // handles[0] is RocksDB's "default" family, unused; the spaces follow in order.
    default_family_ = handles[0];
    for (int i = 0; i < kSpaceCount; ++i) families_[i] = handles[i + 1];
  }

  ~RocksDbStore() override {
    for (auto* family : families_) (void)db_->DestroyColumnFamilyHandle(family);
    (void)db_->DestroyColumnFamilyHandle(default_family_);
    (void)db_->Close();
  }

  Status write(const WriteBatch& batch) override {
    rocksdb::WriteBatch rocks_batch;
    for (const auto& op : batch.operations()) {
      auto* family = families_[static_cast<int>(op.space)];
      auto status = op.erase ? rocks_batch.Delete(family, op.key) : rocks_batch.Put(family, op.key, op.value);
      if (!status.ok()) return unexpected(status.ToString());
    }
    // The write-ahead log is on and written before Write returns, so the batch
    // survives a process crash without an fsync per write.
    rocksdb::WriteOptions options;
    auto status = db_->Write(options, &rocks_batch);
    if (!status.ok()) return unexpected("store write failed: " + status.ToString());
    return {};
  }

  Status scan(Space space, std::string_view prefix, const Visitor& visit) override {
    rocksdb::ReadOptions options;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, families_[static_cast<int>(space)]));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
      const auto key = it->key();
      if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
      const auto value = it->value();
      if (!visit(std::string_view(key.data(), key.size()), std::string_view(value.data(), value.size()))) break;
    }
    if (!it->status().ok()) return unexpected("store scan failed: " + it->status().ToString());
    return {};
  }

  Status last_in_range(Space space, std::string_view begin, std::string_view end, const Visitor& visit) override {
    rocksdb::ReadOptions options;
    const rocksdb::Slice lower(begin.data(), begin.size());
    options.iterate_lower_bound = &lower;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, families_[static_cast<int>(space)]));
    it->SeekForPrev(rocksdb::Slice(end.data(), end.size()));
    if (it->Valid() && it->key().compare(rocksdb::Slice(end.data(), end.size())) == 0) it->Prev();  // end is excluded
    if (it->Valid() && it->key().compare(lower) >= 0) {
      const auto key = it->key();
      const auto value = it->value();
      visit(std::string_view(key.data(), key.size()), std::string_view(value.data(), value.size()));
    }
    if (!it->status().ok()) return unexpected("store scan failed: " + it->status().ToString());
    return {};
  }

  Status scan_range(Space space, std::string_view begin, std::string_view end, const Visitor& visit) override {
    rocksdb::ReadOptions options;
    const rocksdb::Slice upper(end.data(), end.size());
    options.iterate_upper_bound = &upper;  // lets RocksDB skip what lies beyond
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, families_[static_cast<int>(space)]));
    for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
      const auto key = it->key();
      const auto value = it->value();
      if (!visit(std::string_view(key.data(), key.size()), std::string_view(value.data(), value.size()))) break;
    }
    if (!it->status().ok()) return unexpected("store scan failed: " + it->status().ToString());
    return {};
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_family_ = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kSpaceCount> families_{};
};

// A key's series: all of it but the time at its end (history keys end in a u64 time).
class SeriesPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "millet.SeriesPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return {key.data(), key.size() - 8}; }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > 8; }
};

// How each family is kept. The memtable is a skip list, where an insert that starts from
// the top costs a cache miss per level, and every version of a key is kept until a flush.
// - history appends to each series in time order: a hint (where the last insert with the
//   same series went) makes the usual insert nearly free;
// - a shadow record is rewritten under the same key at every report and set: updated in
//   place, the memtable stays as small as the set of keys. In-place updates rule out
//   snapshots and backward iteration on the family; shadows are only read forward, at start.
rocksdb::ColumnFamilyOptions family_options(Space space) {
  rocksdb::ColumnFamilyOptions options;
  if (space == Space::kHistory) {
    options.memtable_insert_with_hint_prefix_extractor = std::make_shared<SeriesPrefix>();
  } else if (space == Space::kShadows) {
    options.inplace_update_support = true;
  }
  return options;
}

}  // namespace

Expected<std::unique_ptr<KvStore>, std::string> open_rocksdb_store(const std::string& directory) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Table files share the process's open-file limit with client connections.
  options.max_open_files = 256;
  options.keep_log_file_num = 4;
  // Insert hints and in-place updates (family_options) need one thread to insert a write
  // group's batches.
  options.allow_concurrent_memtable_write = false;
  // A log file is kept until every family with data in it has flushed; a family written
  // rarely (users, homes) or in place (shadows) would otherwise keep gigabytes of log, all
  // replayed at the next start. Past this much log, the families holding the oldest flush.
  options.max_total_wal_size = 256ull << 20;
  // Compaction can wait; the reactors answering devices cannot. (Flushes keep their priority:
  // a memtable that cannot flush stalls writes.)
  (void)options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int i = 0; i < kSpaceCount; ++i) {
    const auto space = static_cast<Space>(i);
    families.emplace_back(std::string(space_name(space)), family_options(space));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(options, directory, families, &handles, &raw);
  if (!status.ok()) {
    const std::string reason = status.ToString();
    if (status.IsIOError() && reason.find("lock") != std::string::npos) {
      return unexpected("the data directory " + directory +
                        " is in use by another millet process (" + reason + ")");
    }
    return unexpected("cannot open the store in " + directory + ": " + reason);
  }
  return std::unique_ptr<KvStore>(new RocksDbStore(std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
}

}  // namespace millet::store
