#include "device/detail/protocol.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "device/detail/connack.h"

namespace millet::device::detail {
namespace {

namespace json = boost::json;

TEST(DeviceProtocolTest, BuildsThePayloadsTheProtocolDocuments) {
  EXPECT_EQ(device_topic("d-0123456789ab", "set/result"), "$device/d-0123456789ab/set/result");
  EXPECT_EQ(json::parse(report_payload({{"light.on", true}}, 1789999200000)),
            json::parse(R"({"properties": {"light.on": true}, "time": 1789999200000})"));
  EXPECT_EQ(json::parse(report_payload({{"light.on", true}}, std::nullopt)),
            json::parse(R"({"properties": {"light.on": true}})"));
  EXPECT_EQ(json::parse(event_payload("button.pressed", {})),
            json::parse(R"({"event": "button.pressed", "arguments": {}})"));
  EXPECT_EQ(json::parse(set_result_payload("s-1", Status::ok())), json::parse(R"({"id": "s-1", "status": "ok"})"));
  EXPECT_EQ(json::parse(set_result_payload("s-1", Status::error("too hot"))),
            json::parse(R"({"id": "s-1", "status": "error", "message": "too hot"})"));
  EXPECT_EQ(json::parse(action_result_payload("a-1", json::object{{"speaker.duration", 3}})),
            json::parse(R"({"id": "a-1", "status": "ok", "out": {"speaker.duration": 3}})"));
  EXPECT_EQ(json::parse(action_result_payload("a-1", ActionResult::error("no paper"))),
            json::parse(R"({"id": "a-1", "status": "error", "message": "no paper"})"));
}

TEST(DeviceProtocolTest, ParsesSetsAndSaysWhatIsWrongWithBadOnes) {
  SetRequest set = parse_set(R"({"id": "s-1", "properties": {"light.on": true, "light.brightness": 50}})");
  EXPECT_EQ(set.error, "");
  EXPECT_EQ(set.id, "s-1");
  EXPECT_EQ(set.properties, (json::object{{"light.on", true}, {"light.brightness", 50}}));

  struct Case {
    const char* payload;
    const char* id;
    const char* error;
  };
  for (const Case& bad : {
           Case{"{", "", "the set is not valid JSON"},
           Case{"[1]", "", "the set is not a JSON object"},
           Case{R"({"properties": {}})", "", R"(the set has no "id")"},
           Case{R"({"id": "s-2"})", "s-2", R"(the set has no "properties" object)"},
           Case{R"({"id": "s-3", "properties": 4})", "s-3", R"(the set has no "properties" object)"},
       }) {
    SetRequest parsed = parse_set(bad.payload);
    EXPECT_EQ(parsed.id, bad.id) << bad.payload;
    EXPECT_TRUE(parsed.error.starts_with(bad.error)) << bad.payload << " -> " << parsed.error;
  }
}

TEST(DeviceProtocolTest, ParsesActionCalls) {
  ActionRequest call = parse_action(R"({"id": "a-1", "action": "speaker.play-text", "in": {"speaker.text": "hi"}})");
  EXPECT_EQ(call.error, "");
  EXPECT_EQ(call.action, "speaker.play-text");
  EXPECT_EQ(call.in, (json::object{{"speaker.text", "hi"}}));
  EXPECT_EQ(parse_action(R"({"id": "a-2", "action": "light.toggle"})").in, json::object{});
  EXPECT_EQ(parse_action(R"({"id": "a-3", "in": {}})").error, R"(the action call has no "action" name)");
  EXPECT_EQ(parse_action(R"({"id": "a-4", "action": "x.y", "in": 1})").error, R"(the action call's "in" is not an object)");
}

TEST(DeviceProtocolTest, RefusedCredentialsAreFinalButABusyServerIsRetried) {
  EXPECT_TRUE(describe_refusal(Protocol::kMqtt5, 0x86).permanent);
  EXPECT_EQ(describe_refusal(Protocol::kMqtt5, 0x86).message,
            "the server refused the device's id or secret (0x86 Bad User Name or Password)");
  EXPECT_TRUE(describe_refusal(Protocol::kMqtt5, 0x87).permanent);
  EXPECT_TRUE(describe_refusal(Protocol::kMqtt5, 0x87).message.starts_with("not authorized"));
  EXPECT_TRUE(describe_refusal(Protocol::kMqtt311, 4).permanent);
  EXPECT_EQ(describe_refusal(Protocol::kMqtt311, 4).message,
            "the server refused the device's id or secret (return code 4)");
  EXPECT_TRUE(describe_refusal(Protocol::kMqtt311, 5).message.starts_with("not authorized"));
  EXPECT_FALSE(describe_refusal(Protocol::kMqtt5, 0x88).permanent);  // server unavailable
  EXPECT_FALSE(describe_refusal(Protocol::kMqtt5, 0x89).permanent);  // server busy
  EXPECT_FALSE(describe_refusal(Protocol::kMqtt311, 3).permanent);   // server unavailable
}

}  // namespace
}  // namespace millet::device::detail
