#include "mqtt/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace millet::mqtt {
namespace {

TEST(Utf8, AcceptsWellFormed) {
  EXPECT_TRUE(is_valid_mqtt_utf8(""));
  EXPECT_TRUE(is_valid_mqtt_utf8("plain/ascii"));
  EXPECT_TRUE(is_valid_mqtt_utf8("客厅/灯"));
  EXPECT_TRUE(is_valid_mqtt_utf8("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(is_valid_mqtt_utf8("\xEF\xBB\xBF"));      // U+FEFF is allowed (section 1.5.4)
}

TEST(Utf8, RejectsIllFormed) {
  EXPECT_FALSE(is_valid_mqtt_utf8(std::string("a\0b", 3)));  // U+0000
  EXPECT_FALSE(is_valid_mqtt_utf8("\xC3\x28"));               // bad continuation
  EXPECT_FALSE(is_valid_mqtt_utf8("\xC0\xAF"));               // overlong '/'
  EXPECT_FALSE(is_valid_mqtt_utf8("\xED\xA0\x80"));           // surrogate U+D800
  EXPECT_FALSE(is_valid_mqtt_utf8("\xF4\x90\x80\x80"));       // beyond U+10FFFF
  EXPECT_FALSE(is_valid_mqtt_utf8("\xE4\xBD"));               // truncated
  EXPECT_FALSE(is_valid_mqtt_utf8("\x80"));                   // lone continuation
  EXPECT_FALSE(is_valid_mqtt_utf8("\xFF"));
}

}  // namespace
}  // namespace millet::mqtt
