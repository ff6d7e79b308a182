#pragma once
// The assistant (docs/assistant.md): a sentence in English or Chinese, with the
// conversation so far, becomes an intent, its targets and parameters, the
// operations that carry it out, and a reply in the sentence's language.
//
// Pure: respond() reads the home and changes only the conversation; carrying
// out the operations (now, or after `delay_s`) is the caller's — the server
// sends them through the hub, the evaluation mode applies them to its copy of
// the home. A Conversation is used by one turn at a time.

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assistant/home.h"
#include "assistant/lexicon.h"

namespace millet::assistant {

enum class Language : std::uint8_t { kEnglish, kChinese };

enum class Intent : std::uint8_t {
  kUnknown,
  kTurnOn,
  kTurnOff,
  kSetBrightness,
  kSetColor,
  kSetColorTemperature,
  kSetTemperature,
  kSetHumidity,
  kSetMode,
  kSetFanSpeed,
  kSetPosition,
  kSetVolume,
  kOpen,
  kClose,
  kLock,
  kUnlock,
  kStart,
  kPause,
  kStop,
  kDock,
  kQuery,
  kList,
  kRunScene,
  kCancelTimer,
};
std::string_view intent_name(Intent intent);  // "turn_on", ...

enum class Status : std::uint8_t {
  kDone,
  kScheduled,
  kAnswer,
  kClarify,
  kConfirm,
  kCancelled,
  kCannot,
  kNotUnderstood,
};
std::string_view status_name(Status status);  // "done", ...

// One thing to do to one device: set properties, call an action, or run a scene.
struct Operation {
  std::string device;          // empty for a scene
  boost::json::object set;     // {"light.on": true}
  std::string action;          // "vacuum.start-sweep"
  std::string scene;           // the scene's id
  boost::json::object to_json() const;
};

// A timer the home has (the caller keeps them; see Turn::delay_s).
struct PendingTimer {
  std::uint64_t id = 0;
  std::vector<std::string> devices;
};

struct Turn {
  Language language = Language::kEnglish;
  Intent intent = Intent::kUnknown;
  Status status = Status::kNotUnderstood;
  std::vector<std::string> targets;  // device ids
  boost::json::object params;
  std::vector<Operation> operations;  // to carry out now, or after delay_s
  std::int64_t delay_s = 0;           // > 0: status kScheduled, make a timer
  std::vector<std::uint64_t> cancel;  // timers to cancel (kCancelTimer)
  std::string reply;

  // {"text"?, "language", "intent", "status", "targets", "params", "operations", "reply"}
  boost::json::object to_json() const;
};

// What the conversation remembers between turns (opaque to callers).
class Conversation {
 public:
  Conversation();
  ~Conversation();
  Conversation(Conversation&&) noexcept;
  Conversation& operator=(Conversation&&) noexcept;
  struct State;
  State& state() { return *state_; }

 private:
  std::unique_ptr<State> state_;
};

struct Context {
  std::string here;                      // the speaking device's room id; empty: none
  std::span<const PendingTimer> timers;  // the home's timers, for "cancel the timer"
};

// Understands `text` in `home` (whose lexicon is `lexicon`) and moves the conversation on.
Turn respond(const Home& home, const Lexicon& lexicon, Conversation& conversation, std::string_view text,
             const Context& context = {});

// What became of an operation that did not go through, as the caller found when it carried it out.
enum class Outcome : std::uint8_t {
  kNoAnswer,  // the device did not answer in time
  kQueued,    // the device is offline; the values wait for it
  kOffline,   // the device is offline (an action: not kept for later)
  kRefused,   // refused, by the device or by millet (`why` says why)
};
// A sentence to add to the turn's reply: "The kitchen light did not answer." / "厨房灯没有回应。"
std::string outcome_reply(const Home& home, Language language, std::string_view device_id, Outcome outcome,
                          std::string_view why = {});

// Applies a turn's operations to the home's values (evaluation mode: what the devices would report).
void apply(Home& home, std::span<const Operation> operations);

}  // namespace millet::assistant
