#include "hub/history.h"

#include <gtest/gtest.h>

namespace millet::hub {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kStart = 1'789'999'200'000;  // 2026-09-21 14:00 UTC: on the hour
constexpr PropertyId kTemperature{3, 1};

class HistoryTest : public ::testing::Test {
 protected:
  void record(std::int64_t time_ms, spec::Value value, PropertyId property = kTemperature,
              std::string_view device = "d-one") {
    store::WriteBatch batch;
    ASSERT_TRUE(history_->record(batch, device, property, time_ms, value));
    ASSERT_TRUE(store_->write(batch));
  }
  HistoryRange query(std::int64_t from, std::int64_t to, std::optional<HistoryLevel> level = std::nullopt,
                     PropertyId property = kTemperature) {
    auto range = history_->query("d-one", property, from, to, level);
    EXPECT_TRUE(range) << range.error();
    return range ? *range : HistoryRange{};
  }

  std::unique_ptr<store::KvStore> store_ = store::make_memory_store();
  std::unique_ptr<History> history_ = std::make_unique<History>(*store_);
};

TEST_F(HistoryTest, StartIsOnAnHourBoundary) { EXPECT_EQ(kStart % kHour, 0); }

TEST_F(HistoryTest, RawValuesComeBackInOrderWithinTheRange) {
  for (int i = 0; i < 10; ++i) record(kStart + i * 10'000, spec::Value(20.0 + i));
  record(kStart + 5'000, spec::Value(99.0), PropertyId{3, 2});              // another property
  record(kStart + 5'000, spec::Value(98.0), kTemperature, "d-one-other");  // another device
  auto range = query(kStart + 10'000, kStart + 50'000);
  EXPECT_EQ(range.level, HistoryLevel::kRaw);
  ASSERT_EQ(range.points.size(), 4u);
  EXPECT_EQ(range.points.front().time_ms, kStart + 10'000);
  EXPECT_EQ(std::get<double>(range.points.front().value), 21.0);
  EXPECT_EQ(range.points.back().time_ms, kStart + 40'000) << "the end is excluded";
  EXPECT_EQ(history_->query("d-one", kTemperature, kStart, kStart + kHour, HistoryLevel::kRaw, 3)->points.size(), 3u);
}

TEST_F(HistoryTest, RollupsHoldMinMaxAverageAndCount) {
  // One value a minute for two hours: 0, 1, 2, ...
  for (int i = 0; i < 120; ++i) record(kStart + i * kMinute, spec::Value(std::int64_t{i}));
  auto five = query(kStart, kStart + 2 * kHour, HistoryLevel::kFiveMinutes);
  ASSERT_EQ(five.rollups.size(), 24u);
  EXPECT_EQ(five.rollups[1].time_ms, kStart + 5 * kMinute);
  EXPECT_EQ(five.rollups[1].min, 5);
  EXPECT_EQ(five.rollups[1].max, 9);
  EXPECT_EQ(five.rollups[1].count, 5u);
  EXPECT_DOUBLE_EQ(five.rollups[1].average(), 7);
  auto hours = query(kStart, kStart + 2 * kHour, HistoryLevel::kHour);
  ASSERT_EQ(hours.rollups.size(), 2u);
  EXPECT_EQ(hours.rollups[1].min, 60);
  EXPECT_EQ(hours.rollups[1].max, 119);
  EXPECT_EQ(hours.rollups[1].count, 60u);
  // A range starting inside a bucket includes that bucket.
  EXPECT_EQ(query(kStart + 90 * kMinute, kStart + 2 * kHour, HistoryLevel::kHour).rollups.size(), 1u);
}

TEST_F(HistoryTest, BoolsRollUpAsTheShareOfTrue) {
  record(kStart, spec::Value(true));
  record(kStart + kMinute, spec::Value(false));
  record(kStart + 2 * kMinute, spec::Value(true));
  record(kStart + 3 * kMinute, spec::Value(true));
  auto five = query(kStart, kStart + 5 * kMinute, HistoryLevel::kFiveMinutes);
  ASSERT_EQ(five.rollups.size(), 1u);
  EXPECT_DOUBLE_EQ(five.rollups[0].average(), 0.75);
}

TEST_F(HistoryTest, TheSpanPicksTheLevel) {
  record(kStart, spec::Value(1.0));
  EXPECT_EQ(query(kStart, kStart + kDay).level, HistoryLevel::kRaw);
  EXPECT_EQ(query(kStart, kStart + 30 * kDay).level, HistoryLevel::kFiveMinutes);
  EXPECT_EQ(query(kStart, kStart + 365 * kDay).level, HistoryLevel::kHour);
  EXPECT_EQ(query(kStart, kStart + 365 * kDay).rollups.size(), 1u);
}

TEST_F(HistoryTest, StringsHaveOnlyRawValuesWhateverTheSpan) {
  const PropertyId status{2, 1};
  record(kStart, spec::Value(std::string("idle")), status);
  record(kStart + kHour, spec::Value(std::string("cleaning")), status);
  auto year = query(kStart, kStart + 365 * kDay, std::nullopt, status);
  EXPECT_EQ(year.level, HistoryLevel::kRaw);
  ASSERT_EQ(year.points.size(), 2u);
  EXPECT_EQ(std::get<std::string>(year.points[1].value), "cleaning");
}

TEST_F(HistoryTest, ARestartContinuesTheStoredRollupAndLateValuesJoinTheirBucket) {
  record(kStart, spec::Value(10.0));
  record(kStart + kMinute, spec::Value(20.0));
  history_ = std::make_unique<History>(*store_);  // a restart: nothing cached
  record(kStart + 2 * kMinute, spec::Value(30.0));
  record(kStart + 6 * kMinute, spec::Value(50.0));  // next bucket
  record(kStart + 3 * kMinute, spec::Value(0.0));   // late, for the first bucket
  auto five = query(kStart, kStart + 10 * kMinute, HistoryLevel::kFiveMinutes);
  ASSERT_EQ(five.rollups.size(), 2u);
  EXPECT_EQ(five.rollups[0].count, 4u);
  EXPECT_EQ(five.rollups[0].min, 0);
  EXPECT_EQ(five.rollups[0].max, 30);
  EXPECT_DOUBLE_EQ(five.rollups[0].average(), 15);
  EXPECT_EQ(five.rollups[1].count, 1u);
}

TEST_F(HistoryTest, PruningKeepsWhatEachLevelsRetentionAllows) {
  for (int day = 0; day < 10; ++day) record(kStart + day * kDay, spec::Value(1.0 * day));
  const Retention retention{.raw = std::chrono::hours(24 * 3), .five_minutes = std::chrono::hours(24 * 6),
                            .hour = std::chrono::hours(24 * 365)};
  store::WriteBatch batch;
  auto erased = history_->prune(batch, "d-one", kTemperature, kStart + 10 * kDay, retention);
  ASSERT_TRUE(erased) << erased.error();
  EXPECT_EQ(*erased, 7u + 4u);  // raw: days 0-6; 5 minutes: days 0-3
  ASSERT_TRUE(store_->write(batch));
  EXPECT_EQ(query(kStart, kStart + 10 * kDay, HistoryLevel::kRaw).points.size(), 3u);
  EXPECT_EQ(query(kStart, kStart + 10 * kDay, HistoryLevel::kFiveMinutes).rollups.size(), 6u);
  EXPECT_EQ(query(kStart, kStart + 10 * kDay, HistoryLevel::kHour).rollups.size(), 10u);
}

TEST_F(HistoryTest, RollupsAreWrittenWhenTheirBucketCloses) {
  for (int i = 0; i < 3; ++i) {
    store::WriteBatch batch;
    ASSERT_TRUE(history_->record(batch, "d-one", kTemperature, kStart + i * kMinute, spec::Value(1.0 * i)));
    EXPECT_EQ(batch.size(), 1u) << "only the raw value while the buckets fill";
    ASSERT_TRUE(store_->write(batch));
  }
  store::WriteBatch closing;
  ASSERT_TRUE(history_->record(closing, "d-one", kTemperature, kStart + 6 * kMinute, spec::Value(5.0)));
  EXPECT_EQ(closing.size(), 2u) << "the raw value and the closed 5-minute rollup";
  ASSERT_TRUE(store_->write(closing));
  auto five = query(kStart, kStart + kHour, HistoryLevel::kFiveMinutes);
  ASSERT_EQ(five.rollups.size(), 2u);
  EXPECT_EQ(five.rollups[0].count, 3u);
  EXPECT_EQ(five.rollups[1].count, 1u) << "the open bucket, from memory";
}

TEST_F(HistoryTest, AfterACrashTheOpenBucketComesBackFromTheRawValues) {
  record(kStart, spec::Value(10.0));
  record(kStart + kMinute, spec::Value(20.0));
  history_ = std::make_unique<History>(*store_);  // kill -9: the open rollups were only in memory
  auto five = query(kStart, kStart + kHour, HistoryLevel::kFiveMinutes);
  ASSERT_EQ(five.rollups.size(), 1u);
  EXPECT_EQ(five.rollups[0].count, 2u);
  EXPECT_DOUBLE_EQ(five.rollups[0].average(), 15);
  // The next value, hours later, writes the bucket that was open before the crash.
  record(kStart + 5 * kHour, spec::Value(30.0));
  history_ = std::make_unique<History>(*store_);
  auto hours = query(kStart, kStart + 6 * kHour, HistoryLevel::kHour);
  ASSERT_EQ(hours.rollups.size(), 2u);
  EXPECT_EQ(hours.rollups[0].time_ms, kStart);
  EXPECT_EQ(hours.rollups[0].count, 2u);
  EXPECT_EQ(hours.rollups[1].time_ms, kStart + 5 * kHour);
  EXPECT_EQ(hours.rollups[1].count, 1u);
}

TEST_F(HistoryTest, ErasingADeviceLeavesTheOthers) {
  record(kStart, spec::Value(1.0));
  record(kStart, spec::Value(2.0), kTemperature, "d-two");
  store::WriteBatch batch;
  EXPECT_EQ(*history_->erase_device(batch, "d-one"), 1u);  // the raw value; its rollups are still open
  ASSERT_TRUE(store_->write(batch));
  EXPECT_TRUE(query(kStart, kStart + kDay).points.empty());
  EXPECT_TRUE(query(kStart, kStart + kDay, HistoryLevel::kHour).rollups.empty());
  EXPECT_EQ(history_->query("d-two", kTemperature, kStart, kStart + kDay)->points.size(), 1u);
}

}  // namespace
}  // namespace millet::hub

namespace millet::hub {
namespace {

TEST_F(HistoryTest, ALimitKeepsTheEarliestAndSaysTheAnswerIsCut) {
  for (int hour = 0; hour < 5; ++hour) record(kStart + hour * kHour, spec::Value(1.0 * hour));
  auto raw = history_->query("d-one", kTemperature, kStart, kStart + kDay, HistoryLevel::kRaw, 3);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->points.size(), 3u);
  EXPECT_EQ(raw->points.back().time_ms, kStart + 2 * kHour);
  EXPECT_TRUE(raw->truncated);
  auto all = history_->query("d-one", kTemperature, kStart, kStart + kDay, HistoryLevel::kRaw, 5);
  EXPECT_FALSE(all->truncated) << "exactly the limit is not cut";
  // The latest hourly bucket is still filling (in memory): it does not push the answer past the limit.
  auto hourly = history_->query("d-one", kTemperature, kStart, kStart + kDay, HistoryLevel::kHour, 5);
  EXPECT_EQ(hourly->rollups.size(), 5u);
  EXPECT_FALSE(hourly->truncated);
  auto cut = history_->query("d-one", kTemperature, kStart, kStart + kDay, HistoryLevel::kHour, 4);
  EXPECT_EQ(cut->rollups.size(), 4u);
  EXPECT_TRUE(cut->truncated);
}

TEST_F(HistoryTest, AnEmptyLongRangeSaysTheLevelItsSpanCallsFor) {
  EXPECT_EQ(query(kStart, kStart + 365 * kDay).level, HistoryLevel::kHour);
  EXPECT_EQ(query(kStart, kStart + 10 * kDay).level, HistoryLevel::kFiveMinutes);
}

}  // namespace
}  // namespace millet::hub
