#include "mqtt/topic.h"

#include <cstring>

namespace millet::mqtt {

bool is_valid_topic_name(std::string_view topic, bool allow_empty) {
  if (topic.empty()) return allow_empty;
  if (topic.size() > 65535) return false;
  return std::memchr(topic.data(), '+', topic.size()) == nullptr &&
         std::memchr(topic.data(), '#', topic.size()) == nullptr;
}

bool is_valid_topic_filter(std::string_view filter) {
  if (filter.empty() || filter.size() > 65535) return false;
  std::size_t level_start = 0;
  for (std::size_t i = 0; i <= filter.size(); ++i) {
    if (i < filter.size() && filter[i] != '/') continue;
    const std::string_view level = filter.substr(level_start, i - level_start);
    if (level.size() > 1 && level.find_first_of("+#") != std::string_view::npos) return false;
    if (level == "#" && i != filter.size()) return false;  // '#' must be the last level
    level_start = i + 1;
  }
  return true;
}

std::optional<SubscriptionFilter> parse_subscription_filter(std::string_view text) {
  constexpr std::string_view kSharePrefix = "$share/";
  if (!text.starts_with(kSharePrefix)) {
    if (!is_valid_topic_filter(text)) return std::nullopt;
    return SubscriptionFilter{{}, text};
  }
  const std::string_view rest = text.substr(kSharePrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  const std::string_view group = rest.substr(0, slash);
  const std::string_view filter = rest.substr(slash + 1);
  if (group.find_first_of("+#") != std::string_view::npos) return std::nullopt;
  if (!is_valid_topic_filter(filter)) return std::nullopt;
  return SubscriptionFilter{group, filter};
}

bool topic_matches(std::string_view filter, std::string_view topic) {
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#')) {
    return false;
  }
  std::size_t f = 0, t = 0;
  while (true) {
    const std::size_t f_end = std::min(filter.find('/', f), filter.size());
    const std::string_view f_level = filter.substr(f, f_end - f);
    if (f_level == "#") return true;
    const std::size_t t_end = std::min(topic.find('/', t), topic.size());
    if (t > topic.size()) {
      // The topic has no more levels; only a trailing "/#" could still match.
      return false;
    }
    const std::string_view t_level = topic.substr(t, t_end - t);
    if (f_level != "+" && f_level != t_level) return false;
    const bool filter_done = f_end == filter.size();
    const bool topic_done = t_end == topic.size();
    if (filter_done || topic_done) {
      if (filter_done && topic_done) return true;
      // "a/#" matches "a": the filter continues with exactly "/#".
      return topic_done && filter.substr(f_end) == "/#";
    }
    f = f_end + 1;
    t = t_end + 1;
  }
}

}  // namespace millet::mqtt
