#include "hub/history_pruner.h"

#include <gtest/gtest.h>

namespace millet::hub {
namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kNow = 1'790'000'000'000;

class HistoryPrunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
    ASSERT_TRUE(catalog) << catalog.error();
    catalog_ = std::make_unique<spec::Catalog>(std::move(*catalog));
    registry_ = std::move(*Registry::open(*store_, *catalog_, PasswordHasher(PasswordHasher::Cost::kFast)));
    const std::string alice = registry_->add_user("alice", "alice-password")->id;
    const std::string home = registry_->add_home(alice, "Flat")->id;
    outlet_ = registry_->add_device(alice, home, "Kettle plug", "outlet")->device.id;
    const spec::DeviceType* type = catalog_->find("outlet");
    ASSERT_TRUE(type);
    const auto power = type->find_property("power-consumption.power");
    const auto energy = type->find_property("power-consumption.energy");
    ASSERT_TRUE(power && energy);
    ASSERT_EQ(power->member->history_days, 0u) << "power keeps the default 30 days";
    ASSERT_EQ(energy->member->history_days, 365u) << "energy is kept a year (spec/services/power-consumption.json)";
    power_ = {static_cast<std::uint16_t>(power->service->siid), static_cast<std::uint16_t>(power->member->piid)};
    energy_ = {static_cast<std::uint16_t>(energy->service->siid), static_cast<std::uint16_t>(energy->member->piid)};
  }

  void record(PropertyId property, std::int64_t time, double value) {
    store::WriteBatch batch;
    ASSERT_TRUE(history_.record(batch, outlet_, property, time, spec::Value(value)));
    ASSERT_TRUE(store_->write(batch));
  }

  std::size_t raw_count(PropertyId property) {
    return history_.query(outlet_, property, kNow - 400 * kDay, kNow, HistoryLevel::kRaw)->points.size();
  }

  std::unique_ptr<store::KvStore> store_ = store::make_memory_store();
  std::unique_ptr<spec::Catalog> catalog_;
  std::unique_ptr<Registry> registry_;
  History history_{*store_};
  std::string outlet_;
  PropertyId power_, energy_;
};

TEST_F(HistoryPrunerTest, EachPropertyKeepsItsOwnNumberOfDays) {
  for (std::int64_t age : {100, 40, 10}) {
    record(power_, kNow - age * kDay, 1.0 * age);
    record(energy_, kNow - age * kDay, 1.0 * age);
  }
  HistoryPruner pruner(*registry_, history_, *store_);
  auto erased = pruner.prune_once(kNow);
  ASSERT_TRUE(erased) << erased.error();
  EXPECT_EQ(raw_count(power_), 1u) << "power: only the value from 10 days ago is within 30 days";
  EXPECT_EQ(raw_count(energy_), 3u) << "energy: all within 365 days";
  // The hourly rollups outlive the raw values.
  EXPECT_EQ(history_.query(outlet_, power_, kNow - 400 * kDay, kNow, HistoryLevel::kHour)->rollups.size(), 3u);
  auto again = pruner.prune_once(kNow);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u) << "nothing more to erase";
}

TEST_F(HistoryPrunerTest, RunsOnItsOwnThreadUntilStopped) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
  store::WriteBatch batch;
  ASSERT_TRUE(history_.record(batch, outlet_, power_, now - 60 * kDay, spec::Value(5.0)));
  ASSERT_TRUE(store_->write(batch));
  HistoryPruner pruner(*registry_, history_, *store_);
  pruner.start(std::chrono::milliseconds(10), std::chrono::hours(1));
  for (int i = 0; i < 200 && history_.query(outlet_, power_, now - 90 * kDay, now, HistoryLevel::kRaw)->points.size();
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pruner.stop();
  EXPECT_EQ(history_.query(outlet_, power_, now - 90 * kDay, now, HistoryLevel::kRaw)->points.size(), 0u);
}

}  // namespace
}  // namespace millet::hub
