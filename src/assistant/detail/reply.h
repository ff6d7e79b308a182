#pragma once
// The assistant's replies in English and Chinese. Internal to src/assistant.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assistant/detail/capability.h"
#include "assistant/detail/frame.h"

namespace millet::assistant::detail {

struct Speech {
  const Home& home;
  Language language;

  // "the kitchen light" / "厨房灯"
  std::string device(int index) const;
  std::string room(int index) const;
  // "the kitchen light and the floor lamp" / "厨房灯和落地灯"
  std::string devices(std::span<const int> indexes) const;

  std::string done(const Command& command, std::span<const int> targets, std::span<const Operation> operations) const;
  std::string scheduled(const Command& command, std::span<const int> targets) const;
  std::string cannot(const Command& command, int device, const Problem& problem) const;
  std::string nothing_can(const Command& command) const;
  std::string which(const Command& command, std::span<const int> candidates) const;
  std::string which_device() const;
  std::string confirm(const Command& command, std::span<const int> targets) const;
  std::string declined(const Command& command, std::span<const int> targets) const;
  std::string timers_cancelled(std::size_t count) const;
  std::string no_timers() const;
  std::string not_understood() const;
  std::string scene_run(int scene) const;
  // A question about `targets`: each reading, or a yes or no.
  std::string answer(Ask ask, Attribute attribute, std::span<const int> targets,
                     std::span<const std::optional<Reading>> readings, bool negated) const;
  std::string listed(Cue state, std::span<const int> matching, std::span<const int> looked_at) const;
  std::string unknown_value(int device) const;
  // A command that did not go through on the device (`index`, or -1: only its id is known).
  std::string outcome(int index, std::string_view device_id, Outcome outcome, std::string_view why) const;
};

}  // namespace millet::assistant::detail
