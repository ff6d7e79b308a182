// The same contract tests run against both implementations.

#include "store/kv_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>

namespace millet::store {
namespace {

class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "millet-store-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDirectory() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::pair<std::string, std::string>> scan_all(KvStore& store, Space space,
                                                          std::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  auto status = store.scan(space, prefix, [&](std::string_view key, std::string_view value) {
    out.emplace_back(key, value);
    return true;
  });
  EXPECT_TRUE(status.has_value());
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

class KvStoreContract : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      auto opened = open_rocksdb_store(directory_.path());
      ASSERT_TRUE(opened.has_value()) << (opened ? "" : opened.error());
      store_ = std::move(*opened);
    } else {
      store_ = make_memory_store();
    }
  }
  TempDirectory directory_;
  std::unique_ptr<KvStore> store_;
};

TEST_P(KvStoreContract, PutScanErase) {
  WriteBatch batch;
  batch.put(Space::kRetained, "a/b", "1");
  batch.put(Space::kRetained, "a/c", "2");
  batch.put(Space::kRetained, "b", "3");
  batch.put(Space::kSessions, "a/b", "other space");
  ASSERT_TRUE(store_->write(batch).has_value());
  EXPECT_EQ(scan_all(*store_, Space::kRetained, "a/"), (Pairs{{"a/b", "1"}, {"a/c", "2"}}));
  EXPECT_EQ(scan_all(*store_, Space::kSessions, ""), (Pairs{{"a/b", "other space"}}));

  WriteBatch erase;
  erase.erase(Space::kRetained, "a/b");
  erase.put(Space::kRetained, "a/c", "22");
  ASSERT_TRUE(store_->write(erase).has_value());
  EXPECT_EQ(scan_all(*store_, Space::kRetained, ""), (Pairs{{"a/c", "22"}, {"b", "3"}}));
}

TEST_P(KvStoreContract, BinaryKeysSortBytewise) {
  WriteBatch batch;
  batch.put(Space::kSessionMessages, std::string("c\0\x01", 3), "second");
  batch.put(Space::kSessionMessages, std::string("c\0\x00", 3), "first");
  batch.put(Space::kSessionMessages, std::string("c\0\xff", 3), "third");
  ASSERT_TRUE(store_->write(batch).has_value());
  auto records = scan_all(*store_, Space::kSessionMessages, std::string("c\0", 2));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].second, "first");
  EXPECT_EQ(records[2].second, "third");
}

TEST_P(KvStoreContract, ScanStopsWhenVisitorSaysSo) {
  WriteBatch batch;
  for (char c = 'a'; c <= 'e'; ++c) batch.put(Space::kRetained, std::string(1, c), "v");
  ASSERT_TRUE(store_->write(batch).has_value());
  int visited = 0;
  ASSERT_TRUE(store_->scan(Space::kRetained, "", [&](auto, auto) { return ++visited < 2; }).has_value());
  EXPECT_EQ(visited, 2);
}

TEST_P(KvStoreContract, RangeScanIncludesTheStartAndExcludesTheEnd) {
  WriteBatch batch;
  for (const char* key : {"h/a", "h/b", "h/c", "h/d", "i"}) batch.put(Space::kHistory, key, key);
  ASSERT_TRUE(store_->write(batch).has_value());
  Pairs seen;
  ASSERT_TRUE(store_->scan_range(Space::kHistory, "h/b", "h/d", [&](auto key, auto value) {
                      seen.emplace_back(key, value);
                      return true;
                    }).has_value());
  EXPECT_EQ(seen, (Pairs{{"h/b", "h/b"}, {"h/c", "h/c"}}));
  seen.clear();
  ASSERT_TRUE(store_->scan_range(Space::kHistory, "h/bb", "z", [&](auto key, auto value) {
                      seen.emplace_back(key, value);
                      return seen.size() < 2;
                    }).has_value());
  EXPECT_EQ(seen, (Pairs{{"h/c", "h/c"}, {"h/d", "h/d"}}));

  const auto last = [&](std::string_view begin, std::string_view end) {
    Pairs found;
    EXPECT_TRUE(store_->last_in_range(Space::kHistory, begin, end, [&](auto key, auto value) {
                  found.emplace_back(key, value);
                  return true;
                }).has_value());
    return found;
  };
  EXPECT_EQ(last("h/", "h/d"), (Pairs{{"h/c", "h/c"}}));
  EXPECT_EQ(last("h/", "h/cc"), (Pairs{{"h/c", "h/c"}}));
  EXPECT_EQ(last("h/", "i"), (Pairs{{"h/d", "h/d"}}));
  EXPECT_EQ(last("h/b", "h/b"), Pairs{});
  EXPECT_EQ(last("h/x", "h/z"), Pairs{});
  EXPECT_EQ(last("a", "h/a"), Pairs{});
}

// Shadows are rewritten in place and history is appended with insert hints
// (rocksdb_store.cc): the last write of a key wins, whatever its length, also after an
// erase, and a series reads in order however its inserts interleave with others.
TEST_P(KvStoreContract, RewritesAndAppendsReadBackInOrder) {
  for (int round = 0; round < 300; ++round) {
    WriteBatch batch;
    batch.put(Space::kShadows, "d1", std::string(1 + round % 7, static_cast<char>('a' + round % 26)));
    batch.put(Space::kShadows, "d2", std::to_string(round));
    if (round == 200) batch.erase(Space::kShadows, "d1");
    for (const char* series : {"s1", "s2"}) {
      std::string key(series);
      const auto time = static_cast<std::uint64_t>(round);  // big-endian, as history keys end
      for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((time >> shift) & 0xff));
      batch.put(Space::kHistory, key, std::to_string(round));
    }
    ASSERT_TRUE(store_->write(batch).has_value());
  }
  EXPECT_EQ(scan_all(*store_, Space::kShadows, ""), (Pairs{{"d1", std::string(1 + 299 % 7, 'a' + 299 % 26)},
                                                          {"d2", "299"}}));
  const auto series = scan_all(*store_, Space::kHistory, "s1");
  ASSERT_EQ(series.size(), 300u);
  for (int round = 0; round < 300; ++round) EXPECT_EQ(series[round].second, std::to_string(round));
}

INSTANTIATE_TEST_SUITE_P(Implementations, KvStoreContract, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "RocksDb" : "Memory"; });

TEST(RocksDbStore, SurvivesReopen) {
  TempDirectory directory;
  {
    auto store = open_rocksdb_store(directory.path());
    ASSERT_TRUE(store.has_value());
    WriteBatch batch;
    batch.put(Space::kRetained, "t", "kept");
    ASSERT_TRUE((*store)->write(batch).has_value());
  }
  auto store = open_rocksdb_store(directory.path());
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ(scan_all(**store, Space::kRetained, ""), (Pairs{{"t", "kept"}}));
}

TEST(RocksDbStore, SecondOpenSaysTheDirectoryIsInUse) {
  TempDirectory directory;
  auto first = open_rocksdb_store(directory.path());
  ASSERT_TRUE(first.has_value());
  auto second = open_rocksdb_store(directory.path());
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().find("in use by another millet process"), std::string::npos) << second.error();
}

TEST(RocksDbStore, WriteIsDurableAcrossAProcessCrash) {
  TempDirectory directory;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = open_rocksdb_store(directory.path());
    if (!store) _exit(2);
    WriteBatch batch;
    batch.put(Space::kSessions, "client", "state");
    if (!(*store)->write(batch)) _exit(3);
    for (const char* value : {"1", "22", "3"}) {  // rewritten in place in the memtable
      WriteBatch shadow;
      shadow.put(Space::kShadows, "device", value);
      if (!(*store)->write(shadow)) _exit(4);
    }
    _exit(0);  // no destructor, no flush: as abrupt as kill -9 after the ack
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto store = open_rocksdb_store(directory.path());
  ASSERT_TRUE(store.has_value()) << store.error();
  EXPECT_EQ(scan_all(**store, Space::kSessions, ""), (Pairs{{"client", "state"}}));
  EXPECT_EQ(scan_all(**store, Space::kShadows, ""), (Pairs{{"device", "3"}}));
}

}  // namespace
}  // namespace millet::store
