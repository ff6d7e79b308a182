#pragma once
// The automation engine (docs/automations.md): it keeps each home's rules,
// scenes, mode and place, hears what devices report, fires the rules whose
// triggers match, checks their conditions and runs their actions — through
// the hub, like any command — and keeps a trace of each run.
//
// Single-threaded: every method is called on one thread (Automations, in
// service.h, owns it). Nothing here sleeps or reads a clock of its own: time
// comes from the injected Clock and timers fire when run_timers() is called,
// so tests step time instead of waiting for it.
//
// Durable: rules, scenes and each home's settings are written to the store
// before a call returns; a run that reaches a delay or a wait is written too,
// and load() resumes it with the time it has left.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "automation/calendar.h"
#include "automation/interest.h"
#include "automation/parse.h"
#include "automation/rule.h"
#include "hub/device_gateway.h"
#include "hub/registry.h"
#include "store/kv_store.h"

namespace millet::automation {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() const = 0;
};

// What an action's command became, as the hub answered.
struct Outcome {
  bool ok = true;
  std::string status;   // "sent", "queued", "ok", "error", "refused", ...
  std::string message;  // why, when not ok
};

// The engine's way out to the rest of millet. Each `done` must be called on
// the engine's thread (the implementation hands it over).
class Effects {
 public:
  using Done = std::function<void(Outcome)>;
  virtual ~Effects() = default;
  virtual void set(const std::string& home_id, const std::string& device_id, std::vector<hub::CheckedValue> values,
                   Done done) = 0;
  virtual void call(const std::string& home_id, const std::string& device_id, const std::string& action,
                    boost::json::object in, Done done) = 0;
  virtual void webhook(const std::string& method, const std::string& url, const std::string& body, Done done) = 0;
  // An event of the home on the event stream: {"type": "notification" | "mode" | "rule", ...}.
  virtual void publish(const std::string& home_id, boost::json::object event) = 0;
  // Asks for the device's reported values; they come back through Engine::known().
  virtual void fetch_state(const std::string& device_id) = 0;
};

// A command for later (the assistant's "turn off the fan in 10 minutes"): its
// operations run once, at `due_ms`, for the person who asked, unless cancelled
// first. Kept in the store like rules: a restart does not lose it.
struct DelayedView {
  std::uint64_t id = 0;
  std::string home_id;
  std::string user_id;
  std::int64_t due_ms = 0;
  std::string text;               // what was asked, for people's lists
  boost::json::array operations;  // [{"device", "set": {...}} | {"device", "action"} | {"scene"}]
};

// A home's settings for automations.
struct HomeSettings {
  std::string mode = "home";           // home, away, sleep
  std::optional<GeoLocation> location;  // for sunrise and sunset
  std::string time_zone;                // IANA name; empty: the server's
};

// A rule as people see it.
struct RuleView {
  std::string id;
  std::string home_id;
  boost::json::value document;  // as written, devices named by their current names
  bool enabled = true;
  std::string problem;  // why it does not run: it no longer fits its devices, or it was stopped
  std::int64_t last_run_ms = 0;
  std::size_t running = 0;  // runs going now
};

struct SceneView {
  std::string id;
  std::string home_id;
  boost::json::value document;  // {"name", "states": [{"device", "properties"}]}
};

class Engine {
 public:
  Engine(store::KvStore& store, const hub::Registry& registry, Effects& effects, const Clock& clock,
         Interest& interest);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads rules, scenes, settings and paused runs from the store, schedules
  // the time triggers and resumes the runs. Once, before anything else.
  Expected<void, std::string> load();

  // --- for people (`actor` is a user id; a home they have no role in is "not found") ---
  hub::Result<RuleView> add_rule(std::string_view actor, std::string_view home_id, const boost::json::value& document);
  hub::Result<RuleView> replace_rule(std::string_view actor, std::string_view rule_id,
                                     const boost::json::value& document);
  hub::Result<RuleView> enable_rule(std::string_view actor, std::string_view rule_id, bool enabled);
  hub::Result<void> remove_rule(std::string_view actor, std::string_view rule_id);
  hub::Result<RuleView> rule(std::string_view actor, std::string_view rule_id) const;
  hub::Result<std::vector<RuleView>> rules(std::string_view actor, std::string_view home_id) const;
  // The last runs, newest first (at most kTracesKept).
  hub::Result<boost::json::array> traces(std::string_view actor, std::string_view rule_id) const;
  // What a trigger did: started a run, or why not.
  struct Fired {
    std::uint64_t run = 0;  // 0: none started
    bool queued = false;    // it waits its turn (mode queued)
    std::string note;       // why none: "a run is going (mode single)", ...
  };
  // Runs the rule now, as its manual trigger would (conditions are checked).
  hub::Result<Fired> run_rule(std::string_view actor, std::string_view rule_id);
  // An incoming webhook for the home: fires the rules with that webhook trigger and ends the waits
  // for it; returns how many runs it started, queued or resumed ("not found" if nothing listens).
  hub::Result<std::size_t> webhook(std::string_view actor, std::string_view home_id, std::string_view hook_id);

  hub::Result<SceneView> add_scene(std::string_view actor, std::string_view home_id, const boost::json::value& document);
  hub::Result<SceneView> replace_scene(std::string_view actor, std::string_view scene_id,
                                       const boost::json::value& document);
  hub::Result<void> remove_scene(std::string_view actor, std::string_view scene_id);
  hub::Result<SceneView> scene(std::string_view actor, std::string_view scene_id) const;
  hub::Result<std::vector<SceneView>> scenes(std::string_view actor, std::string_view home_id) const;
  // Applies the scene (by id, or by name within the home); returns how many devices it sets.
  hub::Result<std::size_t> apply_scene(std::string_view actor, std::string_view home_id, std::string_view scene);

  // Commands for later, due in `delay_ms`: each operation is checked now (the device is in the home, the values fit its
  // spec, the action and the scene exist) and again when it runs.
  hub::Result<DelayedView> add_delayed(std::string_view actor, std::string_view home_id, std::int64_t delay_ms,
                                       boost::json::array operations, std::string text);
  hub::Result<void> cancel_delayed(std::string_view actor, std::string_view home_id, std::uint64_t id);
  // The home's commands for later, the soonest first.
  hub::Result<std::vector<DelayedView>> delayed(std::string_view actor, std::string_view home_id) const;
  static constexpr std::size_t kDelayedPerHome = 1000;

  hub::Result<HomeSettings> settings(std::string_view actor, std::string_view home_id) const;
  // Changes the mode, the location (a null one removes it) and/or the time zone (what is given).
  hub::Result<HomeSettings> change_settings(std::string_view actor, std::string_view home_id,
                                            std::optional<std::string> mode,
                                            std::optional<std::optional<GeoLocation>> location,
                                            std::optional<std::string> time_zone);

  // --- what devices do (from the gateway, handed to this thread) ---
  void reported(const std::string& device_id, std::vector<std::pair<hub::PropertyId, spec::Value>> values,
                std::int64_t time_ms);
  void event(const std::string& device_id, const std::string& event, const boost::json::object& arguments);
  void connection(const std::string& device_id, bool online);
  // A value known from the device's shadow (after fetch_state): kept if it is newer than what the engine has.
  void known(const std::string& device_id, hub::PropertyId property, spec::Value value, std::int64_t time_ms);

  // --- time ---
  // When the next timer is due; none: no timer.
  std::optional<std::int64_t> next_timer() const;
  // Fires every timer due at or before the clock's now, in order.
  void run_timers();

  static constexpr std::size_t kTracesKept = 50;

  struct RuleState;
  struct SceneState;
  struct Run;
  struct Strand;

 private:
  struct HomeState;
  struct Cached {
    spec::Value value;
    std::int64_t time_ms = 0;
  };
  struct TriggerRef {
    RuleState* rule;
    std::size_t index;
  };
  struct DeviceIndex {
    std::unordered_map<std::uint32_t, std::vector<TriggerRef>> properties;  // by property_key
    std::vector<TriggerRef> events;
    std::vector<TriggerRef> connections;
    std::vector<Strand*> waiting;  // strands in a wait on one of this device's triggers
  };

  std::int64_t now() const { return clock_.now_ms(); }
  // Whether `actor` has at least `needed` in the home ("not found" if no role at all).
  hub::Result<void> check_role(std::string_view actor, std::string_view home_id, hub::Role needed) const;
  hub::Result<RuleState*> rule_for(std::string_view actor, std::string_view rule_id, hub::Role needed) const;
  hub::Result<SceneState*> scene_for(std::string_view actor, std::string_view scene_id, hub::Role needed) const;
  HomeState& home_state(const std::string& home_id);
  // The home's devices as rules name them; kept until the registry changes.
  const std::vector<DeviceInfo>& devices_of(const std::string& home_id);
  RuleView view(const RuleState& rule) const;
  // The document as people see it: devices by the names they have now.
  boost::json::value with_names(const std::string& document) const;
  // The scene of the home with this id, if any.
  const SceneState* scene_by_id(const std::string& home_id, std::string_view id) const;
  // The scene of the home called `name` (any case), if any.
  const SceneState* find_scene(const std::string& home_id, std::string_view name) const;
  // A scene from its document, checked; a conflict if another scene of the home has its name.
  hub::Result<SceneState> make_scene(std::string id, std::string home_id, boost::json::value document);
  SceneView view(const SceneState& scene) const;

  // Rules: reading, checking, taking in and out of the indexes.
  hub::Result<std::unique_ptr<RuleState>> make_rule(std::string id, std::string home_id, boost::json::value document);
  // A conflict if another rule of the home has the name.
  hub::Result<void> check_rule_name(const RuleState& rule) const;
  void install(RuleState& rule);
  void uninstall(RuleState& rule);
  void schedule_clock_triggers(RuleState& rule);
  store::Status save(const RuleState& rule);
  store::Status save(const SceneState& scene);
  store::Status save_settings(const std::string& home_id);

  // Triggers.
  void on_property(RuleState& rule, std::size_t index, const Cached* before, const Cached& now_value);
  Fired fire(RuleState& rule, std::string trigger, bool caused_by_automation = false);
  std::optional<std::int64_t> next_clock_time(const Trigger& trigger, const std::string& home_id,
                                              std::int64_t after) const;
  bool commanded_recently(const std::string& device_id, std::uint32_t property_key) const;

  // Runs.
  std::uint64_t start_run(RuleState& rule, std::string trigger);
  void advance(Strand& strand);
  // Wakes the strand at its `until`, its delay done.
  void arm_delay(Strand& strand);
  void finish_strand(Strand& strand);
  void end_run(Run& run, std::string result);
  void stop_runs(RuleState& rule, const std::string& why);
  void release(Strand& strand);
  void persist(Run& run);
  void resume_wait(Strand& strand, std::string result);
  bool enter_wait(Strand& strand, const Action& wait, std::size_t step);
  // Whether a piece of news concerns a wait's trigger, and matches it.
  enum class WaitMatch : std::uint8_t { kUnrelated, kNo, kYes };
  void check_waits(const std::string& device_id, const std::function<WaitMatch(const Trigger&)>& matches);
  // Writes the runs changed since the last flush (paused ones) or erases them
  // (ended ones), then frees the ended runs. At the end of every public call.
  void flush();
  void write_runs();
  // Rewrites the document's device references (ids, names, aliases) to ids; returns their names by id.
  std::unordered_map<std::string, std::string> resolve_devices(const std::string& home_id,
                                                               boost::json::value& document);
  std::size_t apply_scene_states(const SceneState& scene, const std::string& why);

  // Conditions: each one's result and why, into the run's trace.
  bool holds(const std::vector<Condition>& conditions, const std::string& path, Run* run);
  bool holds(const Condition& condition, const std::string& path, Run* run);
  std::string describe(const PropertyRef& property) const;

  // Commands for later (delayed.cc).
  struct Delayed {
    DelayedView view;
    std::uint64_t timer = 0;
  };
  // Checks one operation of a command for later; the error says which and why. A set's values come back
  // as they are sent (none for an action or a scene).
  hub::Result<std::vector<hub::CheckedValue>> check_operation(const std::string& home_id,
                                                              const boost::json::value& operation) const;
  void schedule(DelayedView view);
  // A stored command for later, from load(): scheduled (one already due runs at the next run_timers()).
  void load_delayed(const boost::json::object& record);
  void run_delayed(std::uint64_t id);

  // Timers.
  std::uint64_t add_timer(std::int64_t when, std::function<void()> task);
  void cancel_timer(std::uint64_t& id);

  store::KvStore& store_;
  const hub::Registry& registry_;
  Effects& effects_;
  const Clock& clock_;
  Interest& interest_;

  std::map<std::string, std::unique_ptr<RuleState>, std::less<>> rules_;    // by id
  std::map<std::string, std::unique_ptr<SceneState>, std::less<>> scenes_;  // by id
  std::map<std::string, std::unique_ptr<HomeState>, std::less<>> homes_;    // by id
  std::unordered_map<std::string, DeviceIndex> devices_;                    // what each device's news concerns
  std::unordered_map<std::string, std::unordered_map<std::uint32_t, Cached>> values_;  // last known values
  std::unordered_map<std::string, std::unordered_map<std::uint32_t, std::int64_t>> commanded_;  // last set by a rule

  std::map<std::pair<std::int64_t, std::uint64_t>, std::function<void()>> timers_;
  std::unordered_map<std::uint64_t, std::int64_t> timer_times_;
  std::uint64_t next_timer_id_ = 1;
  std::uint64_t next_run_id_ = 1;
  std::map<std::uint64_t, Delayed> delayed_;  // by id
  std::uint64_t next_delayed_id_ = 1;
  std::unordered_set<Run*> dirty_;     // runs to write or erase at the next flush()
  std::unordered_set<RuleState*> ended_;  // rules with ended runs to free at the next flush()
  std::map<std::pair<std::string, std::string>, std::string> rule_names_;  // (home, lowercase name) -> rule id
  struct HomeDevices {
    std::uint64_t generation = ~std::uint64_t{0};  // the registry's, when read
    std::vector<DeviceInfo> devices;
    std::unordered_map<std::string_view, std::size_t> by_id;  // into devices
  };
  std::unordered_map<std::string, HomeDevices> home_devices_;
};

}  // namespace millet::automation
