// Value checks, data-driven: testdata/values.txt holds one case per line —
// a device type of the shipped catalog, a property, what is done with it, a
// JSON value, and the expected outcome (the value as kept, or the rejection).

#include "spec/validate.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "spec/catalog.h"

namespace millet::spec {
namespace {

struct Case {
  int line = 0;
  std::string type, address, use, value, expected;
};

std::vector<Case> read_cases(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.is_open()) << "cannot read " << path;
  std::vector<Case> cases;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.empty() || text[0] == '#') continue;
    const auto arrow = text.find(" => ");
    EXPECT_NE(arrow, std::string::npos) << path << ":" << line << ": no ' => '";
    if (arrow == std::string::npos) continue;
    Case c{.line = line};
    std::istringstream fields(text.substr(0, arrow));
    fields >> c.type >> c.address >> c.use;
    std::getline(fields >> std::ws, c.value);
    c.expected = text.substr(arrow + 4);
    cases.push_back(std::move(c));
  }
  return cases;
}

// What the checks say about one case, in the file's words: "ok <json>" or
// "error <message>".
std::string outcome(const DeviceType& type, const Case& c) {
  auto found = type.find_property(c.address);
  if (!found) return "no such property";
  const Use use = c.use == "set" ? Use::kSet : c.use == "report" ? Use::kReport : Use::kRead;
  const std::string device_prefix = "device 'test-device': ";
  if (auto allowed = check_access(*found->service, *found->member, use); !allowed) {
    return "error " + allowed.error().message("test-device").substr(device_prefix.size());
  }
  boost::system::error_code error;
  auto json = boost::json::parse(c.value, error);
  if (error) return "bad JSON in the test file";
  auto checked = check_value(*found->service, *found->member, json);
  if (!checked) return "error " + checked.error().message("test-device").substr(device_prefix.size());
  return "ok " + to_text(*checked);
}

TEST(CheckValue, EveryCaseInTheTestDataFile) {
  auto catalog = Catalog::load(MILLET_SPEC_DIR);
  ASSERT_TRUE(catalog) << catalog.error();
  const auto cases = read_cases(std::string(MILLET_SPEC_TESTDATA) + "/values.txt");
  EXPECT_GE(cases.size(), 30u);
  for (const Case& c : cases) {
    const DeviceType* type = catalog->find(c.type);
    ASSERT_NE(type, nullptr) << "values.txt:" << c.line << ": no device type " << c.type;
    EXPECT_EQ(outcome(*type, c), c.expected) << "values.txt:" << c.line << ": " << c.type << " " << c.address << " "
                                             << c.use << " " << c.value;
  }
}

TEST(CheckValue, TheWholeSentenceNamesTheDevice) {
  Rejection rejection{"light.brightness", "140", "is outside [1, 100]"};
  EXPECT_EQ(rejection.message("hall-light"), "device 'hall-light': light.brightness = 140 is outside [1, 100]");
  Rejection access{"device-information.model", "", "cannot be written (access: read)"};
  EXPECT_EQ(access.message("hall-light"), "device 'hall-light': device-information.model cannot be written (access: read)");
}

TEST(CheckValue, LongStringsAreCutInMessages) {
  Service service{.name = "speaker"};
  Property property{.name = "text-content", .format = Format::kString, .max_length = 10};
  auto checked = check_value(service, property, boost::json::value(std::string(500, 'x')));
  ASSERT_FALSE(checked);
  EXPECT_LT(checked.error().value.size(), 80u);
  EXPECT_EQ(checked.error().rule, "is longer than 10 bytes");
}

}  // namespace
}  // namespace millet::spec
