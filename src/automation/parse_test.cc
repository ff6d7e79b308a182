// Rule documents, data-driven: testdata/rules/valid.json holds rules that must
// parse, refused.json rules that must be refused with the message given (a
// substring). Beside them, the parts parse_rule is made of.

#include "automation/parse.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "spec/catalog.h"

namespace millet::automation {
namespace {

namespace json = boost::json;

json::value read_json(const std::string& name) {
  std::ifstream in(std::string(MILLET_AUTOMATION_TESTDATA) + "/rules/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

class RuleDocuments : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
    ASSERT_TRUE(catalog) << catalog.error();
    catalog_ = new spec::Catalog(std::move(*catalog));
  }
  void SetUp() override {
    devices_ = {{"d-motion000001", "Hall motion", {}, catalog_->find("motion-sensor")},
                {"d-light00000001", "Hall light", {"ceiling light"}, catalog_->find("light")},
                {"d-speaker00001", "Kitchen speaker", {}, catalog_->find("speaker")},
                {"d-blind0000001", "Bedroom blind", {}, catalog_->find("blind")},
                {"d-thermo000001", "Thermometer", {}, catalog_->find("temperature-humidity-sensor")}};
    for (const auto& d : devices_) ASSERT_TRUE(d.type) << d.name;
  }
  static spec::Catalog* catalog_;
  std::vector<DeviceInfo> devices_;
};
spec::Catalog* RuleDocuments::catalog_ = nullptr;

TEST_F(RuleDocuments, ValidOnesParse) {
  const json::value cases = read_json("valid.json");
  ASSERT_GE(cases.as_array().size(), 3u);
  for (const auto& c : cases.as_array()) {
    auto rule = parse_rule(c.at("rule"), devices_);
    EXPECT_TRUE(rule) << c.at("description").as_string() << ": " << (rule ? "" : rule.error());
  }
}

TEST_F(RuleDocuments, BadOnesAreRefusedSayingWhereAndWhy) {
  const json::value cases = read_json("refused.json");
  ASSERT_GE(cases.as_array().size(), 25u);
  for (const auto& c : cases.as_array()) {
    const std::string expected(c.at("error").as_string());
    auto rule = parse_rule(c.at("rule"), devices_);
    ASSERT_FALSE(rule) << "accepted, expected: " << expected;
    EXPECT_NE(rule.error().find(expected), std::string::npos) << "got:      " << rule.error() << "\nexpected: " << expected;
  }
}

TEST_F(RuleDocuments, TheReadmeRuleResolvesDevicesPropertiesAndTimes) {
  auto rule = parse_rule(read_json("valid.json").as_array()[0].at("rule"), devices_);
  ASSERT_TRUE(rule) << rule.error();
  EXPECT_EQ(rule->mode, RunMode::kRestart);
  const auto& trigger = std::get<PropertyTrigger>(rule->triggers.at(0));
  EXPECT_EQ(trigger.property.device_id, "d-motion000001") << "names become ids";
  EXPECT_EQ(trigger.property.name, "motion-sensor.motion-state");
  EXPECT_EQ(trigger.to, spec::Value(true));
  ASSERT_EQ(rule->conditions.size(), 1u);
  EXPECT_EQ(rule->conditions[0].kind, Condition::Kind::kSun);
  EXPECT_FALSE(rule->conditions[0].sunrise);
  ASSERT_EQ(rule->actions.size(), 3u);
  const Action& on = rule->actions[0];
  EXPECT_EQ(on.kind, Action::Kind::kSet);
  ASSERT_EQ(on.values.size(), 2u);
  EXPECT_EQ(on.values[1].first.name, "light.brightness");
  EXPECT_EQ(on.values[1].second, spec::Value(std::int64_t{30}));
  const Action& wait = rule->actions[1];
  EXPECT_EQ(wait.kind, Action::Kind::kWait);
  EXPECT_EQ(wait.duration, std::chrono::hours(6));
  EXPECT_EQ(std::get<PropertyTrigger>(wait.wait_for.at(0)).hold, std::chrono::minutes(5));
}

TEST(Durations, AreNumbersWithUnits) {
  EXPECT_EQ(*parse_duration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*parse_duration("1h30m"), std::chrono::minutes(90));
  EXPECT_EQ(*parse_duration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(*parse_duration("-30m"), -std::chrono::minutes(30));
  EXPECT_EQ(*parse_duration("2d"), std::chrono::hours(48));
  for (const char* bad : {"", "5", "m", "5 minutes", "1h-5m", "400d"}) EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(ClockTimes, AreHoursAndMinutes) {
  EXPECT_EQ(*parse_clock_time("00:00"), 0);
  EXPECT_EQ(*parse_clock_time("07:30"), 450);
  EXPECT_EQ(*parse_clock_time("23:59"), 1439);
  for (const char* bad : {"24:00", "7:30", "07:60", "0730", "ab:cd"}) EXPECT_FALSE(parse_clock_time(bad)) << bad;
}

TEST(Cron, MatchesLikeCron) {
  auto cron = parse_cron("*/15 8-18 * * mon-fri");
  ASSERT_TRUE(cron) << cron.error();
  EXPECT_TRUE(cron->matches(45, 8, 23, 11, 1));    // Monday 08:45
  EXPECT_FALSE(cron->matches(50, 8, 23, 11, 1));   // not a quarter
  EXPECT_FALSE(cron->matches(0, 19, 23, 11, 1));   // after hours
  EXPECT_FALSE(cron->matches(0, 9, 22, 11, 0));    // Sunday
  auto sundays = parse_cron("0 12 * * 7");
  EXPECT_TRUE(sundays->matches(0, 12, 1, 1, 0)) << "7 is Sunday too";
  // Both day fields restricted: either matches.
  auto either = parse_cron("0 0 1 * fri");
  EXPECT_TRUE(either->matches(0, 0, 1, 3, 2));
  EXPECT_TRUE(either->matches(0, 0, 14, 3, 5));
  EXPECT_FALSE(either->matches(0, 0, 14, 3, 4));
  auto months = parse_cron("5/20 * * jan,JUL *");
  EXPECT_TRUE(months->matches(45, 3, 9, 7, 3));
  EXPECT_FALSE(months->matches(45, 3, 9, 8, 3));
  for (const char* bad : {"* * * *", "60 * * * *", "* * 0 * *", "5-1 * * * *", "*/0 * * * *", "a * * * *"}) {
    EXPECT_FALSE(parse_cron(bad)) << bad;
  }
  EXPECT_EQ(parse_cron("0 25 * * *").error(), "cron field 2 (hour): 25 is outside 0-23");
}

}  // namespace
}  // namespace millet::automation
