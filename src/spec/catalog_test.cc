#include "spec/catalog.h"

#include <gtest/gtest.h>

#include <string>

namespace millet::spec {
namespace {

using Texts = std::map<std::string, std::string>;

const char* kInformation = R"({
  "type": "urn:millet-spec:service:device-information:1", "name": "device-information",
  "description": {"en": "Device information", "zh": "设备信息"},
  "properties": [
    {"piid": 1, "name": "model", "description": {"en": "Model", "zh": "型号"}, "format": "string", "access": ["read"]}
  ]
})";

// A small light service; tests break it in one place at a time.
const std::string kBrightnessRange = R"("value-range": [1, 100, 1], "unit": "percentage")";

std::string light_service(const std::string& brightness_extra = kBrightnessRange,
                          const std::string& more = "") {
  return R"({
  "type": "urn:millet-spec:service:light:1", "name": "light", "description": {"en": "Light", "zh": "灯"},
  "properties": [
    {"piid": 1, "name": "on", "description": {"en": "Power", "zh": "开关"}, "format": "bool",
     "access": ["read", "write", "notify"]},
    {"piid": 2, "name": "brightness", "description": {"en": "Brightness", "zh": "亮度"}, "format": "uint8",
     "access": ["read", "write", "notify"], )" +
         brightness_extra + R"(},
    {"piid": 3, "name": "mode", "description": {"en": "Mode", "zh": "模式"}, "format": "uint8",
     "access": ["read", "write"],
     "value-list": [{"value": 0, "description": {"en": "Day", "zh": "日光"}},
                    {"value": 1, "description": {"en": "Night", "zh": "夜灯"}}]}
  ],
  "actions": [
    {"aiid": 1, "name": "toggle", "description": {"en": "Toggle", "zh": "切换"}, "in": [], "out": []},
    {"aiid": 2, "name": "fade", "description": {"en": "Fade", "zh": "渐变"}, "in": [2], "out": []})" +
         more + R"(
  ]
})";
}

std::string light_device(const std::string& light_entry = R"({"siid": 2, "service": "light"})") {
  return R"({
  "type": "urn:millet-spec:device:light:1", "name": "light", "description": {"en": "Light", "zh": "灯"},
  "services": [{"siid": 1, "service": "device-information"}, )" +
         light_entry + R"(]
})";
}

Expected<Catalog, std::string> load(const std::string& service, const std::string& device) {
  return Catalog::from_texts(
      Texts{{"spec/services/device-information.json", kInformation}, {"spec/services/light.json", service}},
      Texts{{"spec/devices/light.json", device}});
}

// Loads and expects failure with a message containing `expected`.
void expect_problem(const std::string& service, const std::string& device, const std::string& expected) {
  auto catalog = load(service, device);
  ASSERT_FALSE(catalog) << "loaded, but should have failed with: " << expected;
  EXPECT_NE(catalog.error().find(expected), std::string::npos) << "got:\n" << catalog.error();
}

TEST(Catalog, LoadsAWellFormedTypeAndFindsItByNameAndUrn) {
  auto catalog = load(light_service(), light_device());
  ASSERT_TRUE(catalog) << catalog.error();
  const DeviceType* light = catalog->find("light");
  ASSERT_NE(light, nullptr);
  EXPECT_EQ(catalog->find("urn:millet-spec:device:light:1"), light);
  EXPECT_EQ(catalog->find("lamp"), nullptr);
  ASSERT_EQ(light->services.size(), 2u);
  const Property* brightness = light->services[1].property("brightness");
  ASSERT_NE(brightness, nullptr);
  EXPECT_EQ(brightness->format, Format::kUint8);
  EXPECT_EQ(brightness->unit, "percentage");
  EXPECT_EQ(brightness->access, kRead | kWrite | kNotify);
  ASSERT_TRUE(brightness->range);
  EXPECT_EQ(brightness->range->max, 100);
  EXPECT_EQ(light->services[1].property("mode")->values.at(1).description.zh, "夜灯");
}

TEST(Catalog, AddressesPropertiesByIdsAndByNames) {
  auto catalog = load(light_service(), light_device());
  ASSERT_TRUE(catalog) << catalog.error();
  const DeviceType& light = *catalog->find("light");
  auto by_ids = light.find_property("2.2");
  auto by_names = light.find_property("light.brightness");
  ASSERT_TRUE(by_ids && by_names);
  EXPECT_EQ(by_ids->member, by_names->member);
  EXPECT_EQ(by_ids->service->siid, 2u);
  EXPECT_EQ(qualified_name(*by_ids->service, by_ids->member->name), "light.brightness");
  EXPECT_EQ(light.find_property("1.1")->member->name, "model");
  EXPECT_EQ(light.find_action("light.toggle")->member->aiid, 1u);
  EXPECT_EQ(light.find_action("2.2")->member->name, "fade");
  for (const char* missing : {"light.nope", "9.1", "2.9", "light", "", ".", "2.", "light.brightness.x"}) {
    EXPECT_FALSE(light.find_property(missing)) << missing;
  }
}

TEST(Catalog, ATypeMayKeepSomePropertiesAndOverrideTheirRange) {
  auto catalog = load(light_service(), light_device(R"({"siid": 2, "service": "light",
      "properties": ["on", {"name": "brightness", "value-range": [10, 90, 10]}]})"));
  ASSERT_TRUE(catalog) << catalog.error();
  const Service& light = catalog->find("light")->services[1];
  EXPECT_EQ(light.properties.size(), 2u);
  EXPECT_EQ(light.property("brightness")->range->min, 10);
  EXPECT_EQ(light.property("mode"), nullptr);
  // Actions default to those whose arguments the type kept: both are kept here.
  EXPECT_EQ(light.actions.size(), 2u);

  auto without_brightness = load(light_service(), light_device(R"({"siid": 2, "service": "light",
      "properties": ["on"]})"));
  ASSERT_TRUE(without_brightness) << without_brightness.error();
  const Service& plain = without_brightness->find("light")->services[1];
  ASSERT_EQ(plain.actions.size(), 1u);
  EXPECT_EQ(plain.actions[0].name, "toggle");
}

TEST(Catalog, AServiceUsedTwiceIsRenamed) {
  auto twice = light_device(R"({"siid": 2, "service": "light"}, {"siid": 3, "service": "light"})");
  expect_problem(light_service(), twice, "service name \"light\" is used twice");
  auto renamed = load(light_service(), light_device(R"({"siid": 2, "service": "light"},
      {"siid": 3, "service": "light", "name": "night-light", "description": {"en": "Night light", "zh": "夜灯"}})"));
  ASSERT_TRUE(renamed) << renamed.error();
  EXPECT_TRUE(renamed->find("light")->find_property("night-light.brightness"));
}

TEST(Catalog, RejectsBrokenServicesNamingTheFileTheEntryAndTheRule) {
  expect_problem(light_service(R"("value-range": [1, 300, 1])"), light_device(),
                 "spec/services/light.json: properties[1] \"brightness\": value-range [1, 300, 1] is outside uint8");
  expect_problem(light_service(R"("value-range": [1, 100, 0])"), light_device(), "needs min <= max and step > 0");
  expect_problem(light_service(R"("value-range": [1, 100, 2])"), light_device(), "max is not min plus whole steps");
  expect_problem(light_service(R"("value-range": [1, 100, 0.5])"), light_device(), "must be whole numbers for uint8");
  expect_problem(light_service(R"("value_range": [1, 100, 1])"), light_device(), "unknown field \"value_range\"");
  expect_problem(light_service(R"("unit": "furlongs")"), light_device(), "unknown unit \"furlongs\"");
  expect_problem(light_service(R"("value-range": [1, 100, 1], "value-list": [])"), light_device(),
                 "has both value-range and value-list");
  expect_problem(light_service(R"("max-length": 10)"), light_device(), "max-length is for strings");
  expect_problem(light_service(kBrightnessRange, R"(, {"aiid": 3, "name": "blink", "description": {"en": "Blink", "zh": "闪"}, "in": [7]})"),
                 light_device(), "\"blink\": in: piid 7 is not a property of the service");
  expect_problem(light_service(kBrightnessRange, R"(, {"aiid": 1, "name": "blink", "description": {"en": "Blink", "zh": "闪"}})"),
                 light_device(), "id 1 is used twice");
  expect_problem(light_service(kBrightnessRange, R"(, {"aiid": 3, "name": "Blink", "description": {"en": "Blink", "zh": "闪"}})"),
                 light_device(), "name \"Blink\" must be lowercase");
  expect_problem(light_service(kBrightnessRange, R"(, {"aiid": 3, "name": "blink", "description": {"en": "Blink"}})"), light_device(),
                 "\"zh\" is missing");
  expect_problem("{\"type\": ", light_device(), "spec/services/light.json: not valid JSON");
}

TEST(Catalog, RejectsBrokenDeviceTypes) {
  expect_problem(light_service(), light_device(R"({"siid": 2, "service": "lamp"})"), "no standard service \"lamp\"");
  expect_problem(light_service(), light_device(R"({"siid": 2, "service": "light", "properties": ["dim"]})"),
                 "the service has no property \"dim\"");
  expect_problem(light_service(),
                 light_device(R"({"siid": 2, "service": "light", "properties": [{"name": "brightness", "value-range": [0, 1000, 1]}]})"),
                 "spec/devices/light.json: services[1] \"light\".properties[0] \"brightness\": value-range [0, 1000, 1] is "
                 "outside uint8");
  expect_problem(light_service(), light_device(R"({"siid": 2, "service": "light", "properties": ["on"], "actions": ["fade"]})"),
                 "in: piid 2 is not a property of the service");
  expect_problem(light_service(), light_device(R"({"siid": 1, "service": "light"})"), "siid 1 is used twice");
  std::string no_information = R"({"type": "urn:millet-spec:device:light:1", "name": "light",
      "description": {"en": "Light", "zh": "灯"}, "services": [{"siid": 2, "service": "light"}]})";
  expect_problem(light_service(), no_information, "siid 1 must be the device-information service");
  std::string wrong_urn = light_device();
  wrong_urn.replace(wrong_urn.find("device:light"), 12, "device:lamp");
  expect_problem(light_service(), wrong_urn, "must be urn:millet-spec:device:light:<version>");
}

// The catalog in spec/ itself: it loads, and holds the categories the
// platform promises, with the properties people use most.
TEST(ShippedCatalog, LoadsWithEveryPromisedCategory) {
  auto catalog = Catalog::load(MILLET_SPEC_DIR);
  ASSERT_TRUE(catalog) << catalog.error();
  EXPECT_GE(catalog->device_types().size(), 40u);
  for (const char* category :
       {"light", "switch", "outlet", "temperature-humidity-sensor", "motion-sensor", "contact-sensor",
        "water-leak-sensor", "smoke-sensor", "illuminance-sensor", "air-conditioner", "heater", "fan", "air-purifier",
        "humidifier", "dehumidifier", "robot-vacuum", "curtain", "blind", "garage-door", "lock", "camera", "doorbell",
        "speaker", "tv", "washer", "dryer", "dishwasher", "fridge", "oven", "rice-cooker", "kettle", "water-purifier",
        "thermostat", "valve", "gateway", "router", "ev-charger", "pet-feeder", "scale"}) {
    const DeviceType* type = catalog->find(category);
    ASSERT_NE(type, nullptr) << category;
    EXPECT_EQ(type->services.at(0).name, "device-information") << category;
    EXPECT_GE(type->services.size(), 2u) << category;
  }
  const DeviceType& light = *catalog->find("light");
  for (const char* address : {"light.on", "light.brightness", "light.color-temperature", "light.color"}) {
    EXPECT_TRUE(light.find_property(address)) << address;
  }
  EXPECT_TRUE(catalog->find("outlet")->find_property("power-consumption.power"));
  EXPECT_TRUE(catalog->find("air-purifier")->find_property("filter.filter-life-level"));
  EXPECT_TRUE(catalog->find("speaker")->find_action("speaker.play-text"));
  EXPECT_TRUE(catalog->find("speaker")->find_property("speaker.volume"));
}

TEST(ShippedCatalog, AMissingFolderIsAClearError) {
  auto catalog = Catalog::load("/nonexistent/spec");
  ASSERT_FALSE(catalog);
  EXPECT_NE(catalog.error().find("cannot read the catalog folder /nonexistent/spec/services"), std::string::npos)
      << catalog.error();
}

}  // namespace
}  // namespace millet::spec
