#include "assistant/text.h"

#include <gtest/gtest.h>

namespace millet::assistant {
namespace {

std::vector<std::string> texts(std::string_view sentence) {
  std::vector<std::string> out;
  for (const Token& token : tokenize(sentence)) out.push_back(token.text);
  return out;
}

TEST(Tokenize, FoldsCaseWidthPunctuationAndSplitsChinese) {
  EXPECT_EQ(texts("Turn on the Kids' Room light, please!"),
            (std::vector<std::string>{"turn", "on", "the", "kids", "room", "light", "please"}));
  EXPECT_EQ(texts("空调调到２６℃？"), (std::vector<std::string>{"空", "调", "调", "到", "26", "°", "c", "?"}));
  EXPECT_EQ(texts("set to 40% in 10min"), (std::vector<std::string>{"set", "to", "40", "%", "in", "10", "min"}));
  EXPECT_EQ(texts("freezer to -18."), (std::vector<std::string>{"freezer", "to", "-18"}));
  EXPECT_EQ(tokenize("pm2.5")[1].number, 2.5);
}

TEST(Tokenize, NamesAndSentencesMeetAsOneKey) {
  EXPECT_EQ(key_of("Living Room"), key_of("livingroom"));
  EXPECT_EQ(key_of("客厅 灯"), key_of("客厅灯"));
  EXPECT_TRUE(has_han("AC 空调"));
  EXPECT_FALSE(has_han("AC"));
}

TEST(ChineseNumber, ReadsNumeralsAsPeopleSayThem) {
  EXPECT_EQ(chinese_number("二十六"), 26);
  EXPECT_EQ(chinese_number("两"), 2);
  EXPECT_EQ(chinese_number("十"), 10);
  EXPECT_EQ(chinese_number("十五"), 15);
  EXPECT_EQ(chinese_number("一百"), 100);
  EXPECT_EQ(chinese_number("一百零五"), 105);
  EXPECT_EQ(chinese_number("一百五"), 150);
  EXPECT_EQ(chinese_number("两千七"), 2700);
  EXPECT_EQ(chinese_number("三点五"), 3.5);
  EXPECT_FALSE(chinese_number("灯").has_value());
  EXPECT_FALSE(chinese_number("一点").has_value());
}

TEST(WithinOneEdit, AllowsOneTypoAndNoMore) {
  EXPECT_TRUE(within_one_edit("kitchn", "kitchen"));   // dropped
  EXPECT_TRUE(within_one_edit("lmap", "lamp"));        // swapped
  EXPECT_TRUE(within_one_edit("bedroon", "bedroom"));  // changed
  EXPECT_TRUE(within_one_edit("lampp", "lamp"));       // added
  EXPECT_FALSE(within_one_edit("ktchn", "kitchen"));
  EXPECT_FALSE(within_one_edit("lamp", "lights"));
}

}  // namespace
}  // namespace millet::assistant
