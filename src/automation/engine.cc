#include "automation/engine.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <list>

#include "hub/credentials.h"
#include "hub/shadow.h"
#include "spec/format.h"

namespace millet::automation {

namespace json = boost::json;
using hub::Error;
using hub::Role;

namespace {

// A loop: a rule fired this often, within the window, by values a rule had just set.
constexpr std::size_t kLoopRuns = 20;
constexpr std::int64_t kLoopWindowMs = 10'000;
// A value reported this soon after a rule set it counts as the rule's doing.
constexpr std::int64_t kCausedWithinMs = 5'000;
// Steps one run may take without waiting (a `repeat while` that never waits).
constexpr std::size_t kStepsWithoutWaiting = 100'000;

Error invalid(std::string message) { return Error{Error::Code::kInvalid, std::move(message)}; }
Error not_found(std::string message) { return Error{Error::Code::kNotFound, std::move(message)}; }
Error conflict(std::string message) { return Error{Error::Code::kConflict, std::move(message)}; }
Error storage(std::string message) { return Error{Error::Code::kStorage, std::move(message)}; }

std::optional<double> number(const spec::Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&value)) return *d;
  return std::nullopt;
}

std::string text(const spec::Value& value) { return spec::to_text(value); }

std::string clock_text(int minute_of_day) { return fmt::format("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60); }

std::string duration_text(std::int64_t ms) {
  if (ms % 3'600'000 == 0 && ms != 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms % 60'000 == 0 && ms != 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

constexpr std::string_view kDayNames[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

// Weekdays bits run Monday (bit 0) to Sunday (bit 6); LocalTime's weekday 0 is Sunday.
bool on_weekday(Weekdays days, int weekday) { return days & (1u << ((weekday + 6) % 7)); }

// The server's time zone, for homes that name none: read once.
const TimeZone& server_zone() {
  static const TimeZone zone = TimeZone::local();
  return zone;
}

// Store keys in the automations space.
std::string rule_key(std::string_view id) { return fmt::format("rule/{}", id); }
std::string scene_key(std::string_view id) { return fmt::format("scene/{}", id); }
std::string home_key(std::string_view id) { return fmt::format("home/{}", id); }
std::string run_key(std::uint64_t id) { return fmt::format("run/{:020}", id); }

// Every {"device": "<reference>"} in a document, rewritten by `map` (none: left as is).
void rewrite_devices(json::value& value, const std::function<std::optional<std::string>(std::string_view)>& map) {
  if (auto* o = value.if_object()) {
    for (auto& [key, child] : *o) {
      if (key == "device" && child.is_string()) {
        if (auto mapped = map(child.get_string())) child = *mapped;
      } else {
        rewrite_devices(child, map);
      }
    }
  } else if (auto* a = value.if_array()) {
    for (auto& child : *a) rewrite_devices(child, map);
  }
}

// The device a reference names (hub::find_named), by an index of ids first: rules name thousands by id.
const DeviceInfo* resolve(std::span<const DeviceInfo> devices,
                          const std::unordered_map<std::string_view, std::size_t>& by_id, std::string_view reference) {
  if (auto it = by_id.find(reference); it != by_id.end()) return &devices[it->second];
  return hub::find_named(devices, reference);
}

std::string lowercase(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool matches_value(const PropertyTrigger& t, const spec::Value& v) {
  if (t.to && v != *t.to) return false;
  const auto n = number(v);
  if (t.above && !(n && *n > *t.above)) return false;
  if (t.below && !(n && *n < *t.below)) return false;
  return true;
}
// A trigger with a target (to, above, below) is about a state; without, about any change.
bool has_target(const PropertyTrigger& t) { return t.to || t.above || t.below; }

}  // namespace

// --- what the engine keeps ----------------------------------------------------------------

struct Trace {
  struct Check {
    std::string path;
    bool result;
    std::string why;
  };
  struct Step {
    std::string path;
    std::string action;
    std::string detail;
    std::string result;
    std::int64_t started_ms = 0;
    std::int64_t ended_ms = 0;
  };
  std::uint64_t run = 0;
  std::string trigger;
  std::int64_t started_ms = 0;
  std::int64_t ended_ms = 0;
  std::string result = "running";
  std::vector<Check> conditions;
  std::vector<Step> steps;

  json::object to_json() const {
    json::object out{{"run", run}, {"trigger", trigger}, {"started", started_ms}, {"result", result}};
    out["ended"] = ended_ms ? json::value(ended_ms) : json::value(nullptr);
    json::array checks;
    for (const auto& c : conditions) checks.push_back(json::object{{"path", c.path}, {"result", c.result}, {"why", c.why}});
    out["conditions"] = std::move(checks);
    json::array done;
    for (const auto& s : steps) {
      json::object step{{"path", s.path}, {"action", s.action}, {"result", s.result}, {"started", s.started_ms}};
      if (!s.detail.empty()) step["detail"] = s.detail;
      step["ended"] = s.ended_ms ? json::value(s.ended_ms) : json::value(nullptr);
      done.push_back(std::move(step));
    }
    out["steps"] = std::move(done);
    return out;
  }
  static Trace from_json(const json::object& o) {
    Trace t;
    t.run = o.at("run").to_number<std::uint64_t>();
    t.trigger = std::string(o.at("trigger").as_string());
    t.started_ms = o.at("started").to_number<std::int64_t>();
    t.result = std::string(o.at("result").as_string());
    for (const auto& c : o.at("conditions").as_array()) {
      const auto& co = c.as_object();
      t.conditions.push_back({std::string(co.at("path").as_string()), co.at("result").as_bool(),
                              std::string(co.at("why").as_string())});
    }
    for (const auto& s : o.at("steps").as_array()) {
      const auto& so = s.as_object();
      Step step{std::string(so.at("path").as_string()), std::string(so.at("action").as_string()), {},
                std::string(so.at("result").as_string()), so.at("started").to_number<std::int64_t>(), 0};
      if (const auto* d = so.if_contains("detail")) step.detail = std::string(d->as_string());
      if (const auto* e = so.if_contains("ended"); e && !e->is_null()) step.ended_ms = e->to_number<std::int64_t>();
      t.steps.push_back(std::move(step));
    }
    return t;
  }
};

struct Engine::HomeState {
  HomeSettings settings;
  TimeZone zone = server_zone();
  std::vector<Strand*> waiting_hooks;  // strands in a wait on a webhook trigger
};

struct Engine::RuleState {
  std::string id;
  std::string home_id;
  std::string name;
  std::string document;  // as stored: devices by id
  std::int64_t created_ms = 0;
  std::optional<Rule> rule;  // none: `problem` says why
  std::string problem;
  bool stopped = false;  // by loop detection, until enabled again
  std::unordered_map<std::string, std::string> device_names;  // of the devices it names: id -> name, for traces

  bool installed = false;
  std::vector<std::pair<std::string, Interest::Kind>> interests;
  std::vector<std::uint64_t> hold_timers;   // per trigger: a "for" being held
  std::vector<std::uint64_t> clock_timers;  // per trigger: its next time
  std::list<std::unique_ptr<Run>> runs;
  // Vectors, not deques: most rules never use them, and an empty deque costs half a kilobyte.
  std::vector<std::string> queued;  // triggers waiting their turn (mode queued), oldest first
  std::vector<std::shared_ptr<Trace>> traces;  // oldest first, at most kTracesKept
  std::vector<std::int64_t> caused_runs;       // when runs set off by rules' own commands started
  std::int64_t last_run_ms = 0;

  bool enabled() const { return rule && rule->enabled && !stopped; }
  std::size_t running() const {
    return static_cast<std::size_t>(std::count_if(runs.begin(), runs.end(), [](const auto& run) { return !run->ended; }));
  }
  std::string name_of(const std::string& device_id) const {
    auto it = device_names.find(device_id);
    return it == device_names.end() ? device_id : it->second;
  }
};

struct Engine::SceneState {
  std::string id;
  std::string home_id;
  std::string document;  // as stored: devices by id
  Scene scene;
  std::string problem;  // why it cannot be applied: it no longer fits its devices
};

namespace {
struct Frame {
  const std::vector<Action>* actions = nullptr;
  std::uint32_t next = 0;       // the next action to run
  std::uint32_t part = 0;       // which of its owner's lists (see sublist())
  std::uint32_t iteration = 0;  // repeat: the iterations done before this one
  std::string path;             // "actions[2].then"
};

// The list of actions `part` of `owner` names, and its path; null if there is none.
const std::vector<Action>* sublist(const Action& owner, std::uint32_t part, const std::string& owner_path,
                                   std::string& path) {
  switch (owner.kind) {
    case Action::Kind::kIf:
      if (part == 0) {
        path = owner_path + ".then";
        return &owner.branches[0].actions;
      }
      if (part < owner.branches.size()) {
        path = fmt::format("{}.else_if[{}].then", owner_path, part - 1);
        return &owner.branches[part].actions;
      }
      path = owner_path + ".else";
      return &owner.otherwise;
    case Action::Kind::kRepeat:
      path = owner_path + ".repeat.actions";
      return &owner.otherwise;
    case Action::Kind::kParallel:
      if (part >= owner.branches.size()) return nullptr;
      path = fmt::format("{}.parallel[{}]", owner_path, part);
      return &owner.branches[part].actions;
    default: return nullptr;
  }
}

// How many lists of actions `owner` holds (sublist's parts).
std::uint32_t part_count(const Action& owner) {
  switch (owner.kind) {
    case Action::Kind::kIf: return static_cast<std::uint32_t>(owner.branches.size() + 1);  // the last: else
    case Action::Kind::kRepeat: return 1;
    case Action::Kind::kParallel: return static_cast<std::uint32_t>(owner.branches.size());
    default: return 0;
  }
}

// Calls `visit(action, path)` for every action of `actions` and of the lists inside them, in order.
void visit_actions(const std::vector<Action>& actions, const std::string& path,
                   const std::function<void(const Action&, const std::string&)>& visit) {
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const std::string here = fmt::format("{}[{}]", path, i);
    visit(actions[i], here);
    for (std::uint32_t part = 0; part < part_count(actions[i]); ++part) {
      std::string sub_path;
      visit_actions(*sublist(actions[i], part, here, sub_path), sub_path, visit);
    }
  }
}
}  // namespace

struct Engine::Strand {
  enum class State : std::uint8_t { kReady, kDelay, kWait, kChildren, kDone };
  Run* run = nullptr;
  Strand* parent = nullptr;
  std::uint32_t branch = 0;  // which of the parent's parallel lists
  std::vector<Frame> frames;
  State state = State::kReady;
  std::int64_t until = 0;  // delay's end, wait's timeout
  std::uint64_t timer = 0;
  std::uint64_t hold_timer = 0;   // a wait's trigger being held ("for")
  const Action* wait = nullptr;   // the wait action
  std::size_t step = 0;           // the trace step of the delay or wait
  std::vector<std::string> waiting_devices;
  bool waiting_hook = false;
  std::vector<std::unique_ptr<Strand>> children;
  std::size_t children_left = 0;
  bool launching = false;
};

struct Engine::Run {
  std::uint64_t id = 0;
  RuleState* rule = nullptr;
  std::shared_ptr<Trace> trace;
  std::unique_ptr<Strand> root;
  bool ended = false;
  bool stored = false;  // a record of it is in the store
  std::size_t steps = 0;
};

// --- construction and loading -------------------------------------------------------------------

Engine::Engine(store::KvStore& store, const hub::Registry& registry, Effects& effects, const Clock& clock,
               Interest& interest)
    : store_(store), registry_(registry), effects_(effects), clock_(clock), interest_(interest) {}

Engine::~Engine() = default;

const std::vector<DeviceInfo>& Engine::devices_of(const std::string& home_id) {
  const std::uint64_t generation = registry_.generation();  // read first: a change after it shows next time
  HomeDevices& home = home_devices_[home_id];
  if (home.generation != generation) {
    home.devices.clear();
    for (auto& device : registry_.devices_of_home(home_id)) {
      home.devices.push_back({device.id, device.name, device.aliases, registry_.catalog().find(device.type)});
    }
    home.by_id.clear();
    for (std::size_t i = 0; i < home.devices.size(); ++i) home.by_id[home.devices[i].id] = i;
    home.generation = generation;
  }
  return home.devices;
}

std::unordered_map<std::string, std::string> Engine::resolve_devices(const std::string& home_id,
                                                                     json::value& document) {
  const std::vector<DeviceInfo>& devices = devices_of(home_id);
  const auto& by_id = home_devices_.at(home_id).by_id;
  std::unordered_map<std::string, std::string> names;
  rewrite_devices(document, [&](std::string_view reference) -> std::optional<std::string> {
    const DeviceInfo* d = resolve(devices, by_id, reference);
    if (!d) return std::nullopt;
    names[d->id] = d->name;
    return d->id;
  });
  return names;
}

Engine::HomeState& Engine::home_state(const std::string& home_id) {
  auto& home = homes_[home_id];
  if (!home) home = std::make_unique<HomeState>();
  return *home;
}

Expected<void, std::string> Engine::load() {
  std::vector<std::pair<std::string, std::string>> records;
  if (auto read = store_.scan(store::Space::kAutomations, "", [&](std::string_view key, std::string_view value) {
        records.emplace_back(key, value);
        return true;
      });
      !read) {
    return unexpected("cannot read the automations: " + read.error());
  }
  std::vector<json::object> runs;
  for (const auto& [key, value] : records) {
    json::value record;
    try {
      record = json::parse(value);
    } catch (const std::exception& e) {
      spdlog::warn("automations: record {} is damaged ({}); skipped", key, e.what());
      continue;
    }
    if (!record.is_object()) continue;
    json::object& o = record.as_object();
    try {
      if (key.starts_with("home/")) {
        HomeState& home = home_state(key.substr(5));
        home.settings.mode = std::string(o.at("mode").as_string());
        if (const auto* lat = o.if_contains("latitude")) {
          home.settings.location = GeoLocation{lat->to_number<double>(), o.at("longitude").to_number<double>()};
        }
        if (const auto* zone = o.if_contains("time_zone")) home.settings.time_zone = std::string(zone->as_string());
        if (!home.settings.time_zone.empty()) {
          auto named = TimeZone::named(home.settings.time_zone);
          if (named) home.zone = *named;
          else spdlog::warn("home {}: {}; using the server's time zone", key.substr(5), named.error());
        }
      } else if (key.starts_with("scene/")) {
        auto scene = std::make_unique<SceneState>();
        scene->id = std::string(o.at("id").as_string());
        scene->home_id = std::string(o.at("home").as_string());
        scene->document = json::serialize(o.at("document"));
        auto parsed = parse_scene(o.at("document"), devices_of(scene->home_id));
        if (parsed) {
          scene->scene = std::move(*parsed);
        } else {
          spdlog::warn("scene {}: it no longer fits its home's devices: {}", scene->id, parsed.error());
          scene->problem = parsed.error();
          scene->scene.name = std::string(o.at("document").at("name").as_string());
        }
        scenes_[scene->id] = std::move(scene);
      } else if (key.starts_with("rule/")) {
        auto rule = std::make_unique<RuleState>();
        rule->id = std::string(o.at("id").as_string());
        rule->home_id = std::string(o.at("home").as_string());
        rule->created_ms = o.at("created").to_number<std::int64_t>();
        rule->stopped = o.contains("stopped");
        if (rule->stopped) rule->problem = std::string(o.at("stopped").as_string());
        rule->document = json::serialize(o.at("document"));
        const auto* name = o.at("document").as_object().if_contains("name");
        rule->name = name && name->is_string() ? std::string(name->get_string()) : rule->id;
        rule->device_names = resolve_devices(rule->home_id, o.at("document"));
        auto parsed = parse_rule(o.at("document"), devices_of(rule->home_id));
        if (parsed) {
          rule->rule = std::move(*parsed);
        } else {
          rule->problem = parsed.error();
          spdlog::warn("rule {}: it no longer fits its home's devices: {}", rule->id, parsed.error());
        }
        rule_names_[{rule->home_id, lowercase(rule->name)}] = rule->id;
        rules_[rule->id] = std::move(rule);
      } else if (key.starts_with("run/")) {
        runs.push_back(std::move(o));
      } else if (key.starts_with("later/")) {
        load_delayed(o);
      }
    } catch (const std::exception& e) {
      spdlog::warn("automations: record {} is damaged ({}); skipped", key, e.what());
    }
  }
  for (auto& [id, rule] : rules_) install(*rule);
  spdlog::info("automations: {} rules, {} scenes, {} runs to resume, {} commands for later", rules_.size(),
               scenes_.size(), runs.size(), delayed_.size());

  // Runs paused in a delay or wait go on with the time they have left.
  store::WriteBatch dropped;
  for (auto& record : runs) {
    const std::uint64_t id = record.at("id").to_number<std::uint64_t>();
    next_run_id_ = std::max(next_run_id_, id + 1);
    auto it = rules_.find(std::string_view(record.at("rule").as_string()));
    if (it == rules_.end() || !it->second->enabled()) {
      dropped.erase(store::Space::kAutomations, run_key(id));
      continue;
    }
    RuleState& rule = *it->second;
    auto run = std::make_unique<Run>();
    run->id = id;
    run->rule = &rule;
    run->stored = true;
    run->trace = std::make_shared<Trace>(Trace::from_json(record.at("trace").as_object()));
    // Rebuilds a strand from its record: each frame's list is found from the one before.
    std::function<std::unique_ptr<Strand>(const json::object&, Strand*, const std::vector<Action>*, std::string)>
        restore = [&](const json::object& s, Strand* parent, const std::vector<Action>* first,
                      std::string first_path) -> std::unique_ptr<Strand> {
      auto strand = std::make_unique<Strand>();
      strand->run = run.get();
      strand->parent = parent;
      strand->branch = static_cast<std::uint32_t>(s.at("branch").to_number<std::int64_t>());
      const json::array& frames = s.at("frames").as_array();
      for (std::size_t i = 0; i < frames.size(); ++i) {
        const json::array& f = frames[i].as_array();
        Frame frame{nullptr, static_cast<std::uint32_t>(f.at(1).to_number<std::int64_t>()),
                    static_cast<std::uint32_t>(f.at(0).to_number<std::int64_t>()),
                    static_cast<std::uint32_t>(f.at(2).to_number<std::int64_t>()), {}};
        if (i == 0) {
          frame.actions = first;
          frame.path = first_path;
        } else {
          const Frame& outer = strand->frames.back();
          if (outer.next == 0 || outer.next > outer.actions->size()) return nullptr;
          const Action& owner = (*outer.actions)[outer.next - 1];
          frame.actions = sublist(owner, frame.part, fmt::format("{}[{}]", outer.path, outer.next - 1), frame.path);
        }
        if (!frame.actions || frame.next > frame.actions->size()) return nullptr;
        strand->frames.push_back(std::move(frame));
      }
      const std::string state(s.at("state").as_string());
      strand->until = s.at("until").to_number<std::int64_t>();
      strand->step = static_cast<std::size_t>(s.at("step").to_number<std::int64_t>());
      if (state == "children") {
        if (strand->frames.empty()) return nullptr;
        const Frame& top = strand->frames.back();
        if (top.next == 0) return nullptr;
        const Action& parallel = (*top.actions)[top.next - 1];
        const std::string owner_path = fmt::format("{}[{}]", top.path, top.next - 1);
        for (const auto& child : s.at("children").as_array()) {
          if (child.is_null()) {
            strand->children.push_back(nullptr);
            continue;
          }
          std::string path;
          const auto branch = static_cast<std::uint32_t>(child.at("branch").to_number<std::int64_t>());
          const std::vector<Action>* list = sublist(parallel, branch, owner_path, path);
          if (!list) return nullptr;
          auto restored = restore(child.as_object(), strand.get(), list, path);
          if (!restored) return nullptr;
          strand->children.push_back(std::move(restored));
          ++strand->children_left;
        }
        strand->state = Strand::State::kChildren;
      } else if (state == "delay" || state == "wait") {
        if (strand->frames.empty() || strand->frames.back().next == 0) return nullptr;
        const Frame& top = strand->frames.back();
        strand->wait = &(*top.actions)[top.next - 1];
        strand->state = state == "delay" ? Strand::State::kDelay : Strand::State::kWait;
      }
      return strand;
    };
    run->root = restore(record.at("strand").as_object(), nullptr, &rule.rule->actions, "actions");
    if (!run->root) {
      spdlog::warn("rule '{}': run {} does not fit the rule any more; dropped", rule.rule->name, id);
      dropped.erase(store::Space::kAutomations, run_key(id));
      continue;
    }
    Run& resumed = *run;
    rule.runs.push_back(std::move(run));
    rule.traces.push_back(resumed.trace);  // records come in run order
    // Waits and delays are armed again, each with the time it has left.
    std::function<void(Strand&)> arm = [&](Strand& strand) {
      if (strand.state == Strand::State::kChildren) {
        for (auto& child : strand.children) {
          if (child) arm(*child);
        }
        if (strand.children_left == 0) {
          strand.state = Strand::State::kReady;
          advance(strand);
        }
      } else if (strand.state == Strand::State::kDelay) {
        arm_delay(strand);
      } else if (strand.state == Strand::State::kWait) {
        if (!enter_wait(strand, *strand.wait, strand.step)) advance(strand);
      } else {
        advance(strand);
      }
    };
    arm(*resumed.root);
    spdlog::info("rule '{}': run {} resumed", rule.rule->name, id);
  }
  if (!dropped.empty()) (void)store_.write(dropped);
  flush();
  return {};
}

// --- rules: people's calls ------------------------------------------------------------------

hub::Result<void> Engine::check_role(std::string_view actor, std::string_view home_id, Role needed) const {
  auto role = registry_.role_of(actor, home_id);
  if (!role) return unexpected(not_found(fmt::format("no home '{}'", home_id)));
  if (*role < needed) {
    return unexpected(Error{Error::Code::kForbidden,
                            fmt::format("this needs the role {} in the home", hub::role_name(needed))});
  }
  return {};
}

hub::Result<Engine::RuleState*> Engine::rule_for(std::string_view actor, std::string_view rule_id, Role needed) const {
  auto it = rules_.find(rule_id);
  if (it == rules_.end()) return unexpected(not_found(fmt::format("no rule '{}'", rule_id)));
  if (auto allowed = check_role(actor, it->second->home_id, needed); !allowed) {
    if (allowed.error().code != Error::Code::kNotFound) return unexpected(allowed.error());
    return unexpected(not_found(fmt::format("no rule '{}'", rule_id)));
  }
  return it->second.get();
}

hub::Result<Engine::SceneState*> Engine::scene_for(std::string_view actor, std::string_view scene_id,
                                                   Role needed) const {
  auto it = scenes_.find(scene_id);
  if (it == scenes_.end()) return unexpected(not_found(fmt::format("no scene '{}'", scene_id)));
  if (auto allowed = check_role(actor, it->second->home_id, needed); !allowed) {
    if (allowed.error().code != Error::Code::kNotFound) return unexpected(allowed.error());
    return unexpected(not_found(fmt::format("no scene '{}'", scene_id)));
  }
  return it->second.get();
}

hub::Result<std::unique_ptr<Engine::RuleState>> Engine::make_rule(std::string id, std::string home_id,
                                                                  json::value document) {
  // Kept with devices by id, so that renaming a device does not break its rules.
  auto names = resolve_devices(home_id, document);
  auto parsed = parse_rule(document, devices_of(home_id));
  if (!parsed) return unexpected(invalid(std::move(parsed.error())));
  // A scene it runs must exist (by name, in the home): the first missing one is the error.
  std::string missing;
  visit_actions(parsed->actions, "actions", [&](const Action& a, const std::string& path) {
    if (a.kind == Action::Kind::kScene && missing.empty() && !find_scene(home_id, a.name)) {
      missing = fmt::format("{}.scene: no scene '{}' in this home", path, a.name);
    }
  });
  if (!missing.empty()) return unexpected(invalid(missing));
  auto rule = std::make_unique<RuleState>();
  rule->id = std::move(id);
  rule->home_id = std::move(home_id);
  rule->document = json::serialize(document);
  rule->created_ms = now();
  rule->name = parsed->name;
  rule->rule = std::move(*parsed);
  rule->device_names = std::move(names);
  return rule;
}

hub::Result<void> Engine::check_rule_name(const RuleState& rule) const {
  auto it = rule_names_.find({rule.home_id, lowercase(rule.name)});
  if (it != rule_names_.end() && it->second != rule.id) {
    return unexpected(conflict(fmt::format("this home has a rule '{}' already", rule.name)));
  }
  return {};
}

hub::Result<RuleView> Engine::add_rule(std::string_view actor, std::string_view home_id, const json::value& document) {
  if (auto allowed = check_role(actor, home_id, Role::kMember); !allowed) return unexpected(allowed.error());
  auto made = make_rule(hub::random_id("rl-"), std::string(home_id), document);
  if (!made) return unexpected(made.error());
  RuleState& rule = **made;
  if (auto unique = check_rule_name(rule); !unique) return unexpected(unique.error());
  if (auto saved = save(rule); !saved) return unexpected(storage(saved.error()));
  rule_names_[{rule.home_id, lowercase(rule.name)}] = rule.id;
  rules_[rule.id] = std::move(*made);
  install(rule);
  flush();
  return view(rule);
}

hub::Result<RuleView> Engine::replace_rule(std::string_view actor, std::string_view rule_id,
                                           const json::value& document) {
  auto found = rule_for(actor, rule_id, Role::kMember);
  if (!found) return unexpected(found.error());
  RuleState& old = **found;
  auto made = make_rule(old.id, old.home_id, document);
  if (!made) return unexpected(made.error());
  (*made)->created_ms = old.created_ms;
  if (auto unique = check_rule_name(**made); !unique) return unexpected(unique.error());
  if (auto saved = save(**made); !saved) return unexpected(storage(saved.error()));
  // Runs of the old rule stop: their place in its actions means nothing in the new one.
  stop_runs(old, "stopped: the rule was changed");
  uninstall(old);
  flush();  // before the old rule, and its runs, are freed
  (*made)->traces = std::move(old.traces);
  (*made)->last_run_ms = old.last_run_ms;
  rule_names_.erase({old.home_id, lowercase(old.name)});
  rule_names_[{old.home_id, lowercase((*made)->name)}] = old.id;
  auto& slot = rules_[old.id];
  slot = std::move(*made);
  install(*slot);
  flush();
  return view(*slot);
}

hub::Result<RuleView> Engine::enable_rule(std::string_view actor, std::string_view rule_id, bool enabled) {
  auto found = rule_for(actor, rule_id, Role::kMember);
  if (!found) return unexpected(found.error());
  RuleState& rule = **found;
  json::value document = json::parse(rule.document);
  document.as_object()["enabled"] = enabled;
  const std::string before = rule.document;
  const bool was_stopped = rule.stopped;
  rule.document = json::serialize(document);
  if (enabled) rule.stopped = false;
  if (auto saved = save(rule); !saved) {
    rule.document = before;
    rule.stopped = was_stopped;
    return unexpected(storage(saved.error()));
  }
  if (enabled && was_stopped) rule.problem.clear();
  if (rule.rule) {
    uninstall(rule);
    if (!enabled) stop_runs(rule, "stopped: the rule was disabled");
    rule.rule->enabled = enabled;
    install(rule);
  }
  flush();
  return view(rule);
}

hub::Result<void> Engine::remove_rule(std::string_view actor, std::string_view rule_id) {
  auto found = rule_for(actor, rule_id, Role::kMember);
  if (!found) return unexpected(found.error());
  RuleState& rule = **found;
  store::WriteBatch batch;
  batch.erase(store::Space::kAutomations, rule_key(rule.id));
  if (auto written = store_.write(batch); !written) return unexpected(storage(written.error()));
  stop_runs(rule, "stopped: the rule was removed");
  uninstall(rule);
  flush();
  rule_names_.erase({rule.home_id, lowercase(rule.name)});
  rules_.erase(std::string(rule.id));
  return {};
}

hub::Result<RuleView> Engine::rule(std::string_view actor, std::string_view rule_id) const {
  auto found = rule_for(actor, rule_id, Role::kGuest);
  if (!found) return unexpected(found.error());
  return view(**found);
}

hub::Result<std::vector<RuleView>> Engine::rules(std::string_view actor, std::string_view home_id) const {
  if (auto allowed = check_role(actor, home_id, Role::kGuest); !allowed) return unexpected(allowed.error());
  std::vector<RuleView> views;
  for (const auto& [id, rule] : rules_) {
    if (rule->home_id == home_id) views.push_back(view(*rule));
  }
  return views;
}

hub::Result<json::array> Engine::traces(std::string_view actor, std::string_view rule_id) const {
  auto found = rule_for(actor, rule_id, Role::kGuest);
  if (!found) return unexpected(found.error());
  json::array traces;
  for (auto it = (*found)->traces.rbegin(); it != (*found)->traces.rend(); ++it) traces.push_back((*it)->to_json());
  return traces;
}

hub::Result<Engine::Fired> Engine::run_rule(std::string_view actor, std::string_view rule_id) {
  auto found = rule_for(actor, rule_id, Role::kGuest);
  if (!found) return unexpected(found.error());
  RuleState& rule = **found;
  if (!rule.rule) return unexpected(conflict(fmt::format("the rule does not run: {}", rule.problem)));
  if (!rule.enabled()) return unexpected(conflict(rule.stopped ? rule.problem : "the rule is disabled"));
  auto user = registry_.user(actor);
  Fired fired = fire(rule, fmt::format("manual: run by {}", user ? user->name : std::string(actor)));
  flush();
  return fired;
}

hub::Result<std::size_t> Engine::webhook(std::string_view actor, std::string_view home_id, std::string_view hook_id) {
  if (auto allowed = check_role(actor, home_id, Role::kGuest); !allowed) return unexpected(allowed.error());
  std::size_t listening = 0, fired = 0;  // rules and waits that listen; runs started, queued or resumed
  for (auto& [id, rule] : rules_) {
    if (rule->home_id != home_id || !rule->enabled() || !rule->installed) continue;
    for (const Trigger& t : rule->rule->triggers) {
      const auto* hook = std::get_if<WebhookTrigger>(&t);
      if (!hook || hook->id != hook_id) continue;
      ++listening;
      if (const Fired f = fire(*rule, fmt::format("webhook {}", hook_id)); f.run || f.queued) ++fired;
      break;
    }
  }
  HomeState& home = home_state(std::string(home_id));
  for (Strand* strand : std::vector<Strand*>(home.waiting_hooks)) {
    if (strand->state != Strand::State::kWait || strand->run->ended) continue;
    for (const Trigger& t : strand->wait->wait_for) {
      const auto* hook = std::get_if<WebhookTrigger>(&t);
      if (hook && hook->id == hook_id) {
        resume_wait(*strand, "triggered");
        ++listening, ++fired;
        break;
      }
    }
  }
  flush();
  if (listening == 0) return unexpected(not_found(fmt::format("no rule in this home waits for webhook '{}'", hook_id)));
  return fired;
}

json::value Engine::with_names(const std::string& document) const {
  json::value out = json::parse(document);
  rewrite_devices(out, [&](std::string_view id) -> std::optional<std::string> {
    auto device = registry_.find_device(id);
    return device ? std::optional<std::string>(device->name) : std::nullopt;
  });
  return out;
}

RuleView Engine::view(const RuleState& rule) const {
  return {rule.id, rule.home_id, with_names(rule.document), rule.enabled(), rule.problem, rule.last_run_ms,
          rule.running()};
}

SceneView Engine::view(const SceneState& scene) const {
  return {scene.id, scene.home_id, with_names(scene.document)};
}

store::Status Engine::save(const RuleState& rule) {
  json::object record{{"id", rule.id}, {"home", rule.home_id}, {"created", rule.created_ms},
                      {"document", json::parse(rule.document)}};
  if (rule.stopped) record["stopped"] = rule.problem;
  store::WriteBatch batch;
  batch.put(store::Space::kAutomations, rule_key(rule.id), json::serialize(record));
  return store_.write(batch);
}

// --- scenes ---------------------------------------------------------------------------------------

hub::Result<SceneView> Engine::add_scene(std::string_view actor, std::string_view home_id,
                                         const json::value& document) {
  if (auto allowed = check_role(actor, home_id, Role::kMember); !allowed) return unexpected(allowed.error());
  auto made = make_scene(hub::random_id("sc-"), std::string(home_id), document);
  if (!made) return unexpected(made.error());
  if (auto saved = save(*made); !saved) return unexpected(storage(saved.error()));
  auto& added = scenes_[made->id];
  added = std::make_unique<SceneState>(std::move(*made));
  return view(*added);
}

hub::Result<Engine::SceneState> Engine::make_scene(std::string id, std::string home_id, json::value document) {
  resolve_devices(home_id, document);
  auto parsed = parse_scene(document, devices_of(home_id));
  if (!parsed) return unexpected(invalid(std::move(parsed.error())));
  if (const SceneState* other = find_scene(home_id, parsed->name); other && other->id != id) {
    return unexpected(conflict(fmt::format("this home has a scene '{}' already", parsed->name)));
  }
  return SceneState{std::move(id), std::move(home_id), json::serialize(document), std::move(*parsed), {}};
}

const Engine::SceneState* Engine::find_scene(const std::string& home_id, std::string_view name) const {
  for (const auto& [id, scene] : scenes_) {
    if (scene->home_id == home_id && hub::same_name(scene->scene.name, name)) return scene.get();
  }
  return nullptr;
}

hub::Result<SceneView> Engine::replace_scene(std::string_view actor, std::string_view scene_id,
                                             const json::value& document) {
  auto found = scene_for(actor, scene_id, Role::kMember);
  if (!found) return unexpected(found.error());
  SceneState& scene = **found;
  auto changed = make_scene(scene.id, scene.home_id, document);
  if (!changed) return unexpected(changed.error());
  if (auto saved = save(*changed); !saved) return unexpected(storage(saved.error()));
  scene = std::move(*changed);
  return view(scene);
}

hub::Result<void> Engine::remove_scene(std::string_view actor, std::string_view scene_id) {
  auto found = scene_for(actor, scene_id, Role::kMember);
  if (!found) return unexpected(found.error());
  // A rule that runs it would be left broken: say which.
  for (const auto& [id, rule] : rules_) {
    if (rule->home_id != (*found)->home_id || !rule->rule) continue;
    bool uses = false;
    visit_actions(rule->rule->actions, "actions", [&](const Action& a, const std::string&) {
      uses |= a.kind == Action::Kind::kScene && hub::same_name(a.name, (*found)->scene.name);
    });
    if (uses) {
      return unexpected(conflict(fmt::format("rule '{}' runs scene '{}': change or remove the rule first",
                                             rule->rule->name, (*found)->scene.name)));
    }
  }
  store::WriteBatch batch;
  batch.erase(store::Space::kAutomations, scene_key((*found)->id));
  if (auto written = store_.write(batch); !written) return unexpected(storage(written.error()));
  scenes_.erase((*found)->id);
  return {};
}

hub::Result<SceneView> Engine::scene(std::string_view actor, std::string_view scene_id) const {
  auto found = scene_for(actor, scene_id, Role::kGuest);
  if (!found) return unexpected(found.error());
  return view(**found);
}

hub::Result<std::vector<SceneView>> Engine::scenes(std::string_view actor, std::string_view home_id) const {
  if (auto allowed = check_role(actor, home_id, Role::kGuest); !allowed) return unexpected(allowed.error());
  std::vector<SceneView> views;
  for (const auto& [id, scene] : scenes_) {
    if (scene->home_id == home_id) views.push_back(view(*scene));
  }
  return views;
}

hub::Result<std::size_t> Engine::apply_scene(std::string_view actor, std::string_view home_id,
                                             std::string_view reference) {
  if (auto allowed = check_role(actor, home_id, Role::kGuest); !allowed) return unexpected(allowed.error());
  const SceneState* scene = scene_by_id(std::string(home_id), reference);
  if (!scene) scene = find_scene(std::string(home_id), reference);
  if (!scene) return unexpected(not_found(fmt::format("no scene '{}' in this home", reference)));
  if (!scene->problem.empty()) {
    return unexpected(conflict(fmt::format("scene '{}' no longer fits its devices: {}", scene->scene.name,
                                           scene->problem)));
  }
  auto user = registry_.user(actor);
  return apply_scene_states(*scene, fmt::format("scene '{}' applied by {}", scene->scene.name,
                                                user ? user->name : std::string(actor)));
}

const Engine::SceneState* Engine::scene_by_id(const std::string& home_id, std::string_view id) const {
  auto it = scenes_.find(id);
  return it != scenes_.end() && it->second->home_id == home_id ? it->second.get() : nullptr;
}

std::size_t Engine::apply_scene_states(const SceneState& scene, const std::string& why) {
  spdlog::info("home {}: {}", scene.home_id, why);
  for (const Action& state : scene.scene.states) {
    std::vector<hub::CheckedValue> values;
    for (const auto& [property, value] : state.values) {
      values.push_back({property.id, property.name, value});
      commanded_[state.device_id][hub::property_key(property.id)] = now();
    }
    effects_.set(scene.home_id, state.device_id, std::move(values), [why](Outcome outcome) {
      if (!outcome.ok) spdlog::warn("{}: {}: {}", why, outcome.status, outcome.message);
    });
  }
  return scene.scene.states.size();
}

store::Status Engine::save(const SceneState& scene) {
  json::object record{{"id", scene.id}, {"home", scene.home_id}, {"document", json::parse(scene.document)}};
  store::WriteBatch batch;
  batch.put(store::Space::kAutomations, scene_key(scene.id), json::serialize(record));
  return store_.write(batch);
}

// --- the home's settings ---------------------------------------------------------------------------

hub::Result<HomeSettings> Engine::settings(std::string_view actor, std::string_view home_id) const {
  if (auto allowed = check_role(actor, home_id, Role::kGuest); !allowed) return unexpected(allowed.error());
  auto it = homes_.find(home_id);
  return it == homes_.end() ? HomeSettings{} : it->second->settings;
}

hub::Result<HomeSettings> Engine::change_settings(std::string_view actor, std::string_view home_id,
                                                  std::optional<std::string> mode,
                                                  std::optional<std::optional<GeoLocation>> location,
                                                  std::optional<std::string> time_zone) {
  // Anyone in the home may say they are away; where the home is, only members.
  const Role needed = location || time_zone ? Role::kMember : Role::kGuest;
  if (auto allowed = check_role(actor, home_id, needed); !allowed) return unexpected(allowed.error());
  if (mode && *mode != "home" && *mode != "away" && *mode != "sleep") {
    return unexpected(invalid(fmt::format("mode '{}' is not home, away or sleep", *mode)));
  }
  if (location && *location &&
      (!std::isfinite((*location)->latitude) || !std::isfinite((*location)->longitude) ||
       std::abs((*location)->latitude) > 90 || std::abs((*location)->longitude) > 180)) {
    return unexpected(invalid("latitude is -90 to 90 and longitude -180 to 180 (degrees; north and east positive)"));
  }
  std::optional<TimeZone> zone;
  if (time_zone && !time_zone->empty()) {
    auto named = TimeZone::named(*time_zone);
    if (!named) return unexpected(invalid(named.error()));
    zone = *named;
  }
  HomeState& home = home_state(std::string(home_id));
  const HomeSettings before = home.settings;
  if (mode) home.settings.mode = *mode;
  if (location) home.settings.location = *location;
  if (time_zone) home.settings.time_zone = *time_zone;
  if (auto saved = save_settings(std::string(home_id)); !saved) {
    home.settings = before;
    return unexpected(storage(saved.error()));
  }
  if (time_zone) home.zone = zone ? *zone : server_zone();
  if (mode && *mode != before.mode) {
    effects_.publish(std::string(home_id), json::object{{"type", "mode"}, {"mode", *mode}});
  }
  if (location || time_zone) {
    for (auto& [id, rule] : rules_) {
      if (rule->home_id == home_id && rule->installed) schedule_clock_triggers(*rule);
    }
  }
  flush();
  return home.settings;
}

store::Status Engine::save_settings(const std::string& home_id) {
  const HomeSettings& settings = home_state(home_id).settings;
  json::object record{{"mode", settings.mode}};
  if (settings.location) {
    record["latitude"] = settings.location->latitude;
    record["longitude"] = settings.location->longitude;
  }
  if (!settings.time_zone.empty()) record["time_zone"] = settings.time_zone;
  store::WriteBatch batch;
  batch.put(store::Space::kAutomations, home_key(home_id), json::serialize(record));
  return store_.write(batch);
}

// --- indexes --------------------------------------------------------------------------------------

void Engine::install(RuleState& rule) {
  if (rule.installed || !rule.enabled()) return;
  rule.installed = true;
  const Rule& r = *rule.rule;
  rule.hold_timers.assign(r.triggers.size(), 0);
  rule.clock_timers.assign(r.triggers.size(), 0);
  const auto listen = [&](const std::string& device_id, Interest::Kind kind) {
    interest_.add(device_id, kind);
    rule.interests.emplace_back(device_id, kind);
  };
  std::vector<std::string> to_fetch;
  for (std::size_t i = 0; i < r.triggers.size(); ++i) {
    std::visit(
        [&](const auto& t) {
          using T = std::decay_t<decltype(t)>;
          if constexpr (std::is_same_v<T, PropertyTrigger>) {
            devices_[t.property.device_id].properties[hub::property_key(t.property.id)].push_back({&rule, i});
            listen(t.property.device_id, Interest::Kind::kReports);
            to_fetch.push_back(t.property.device_id);
          } else if constexpr (std::is_same_v<T, EventTrigger>) {
            devices_[t.device_id].events.push_back({&rule, i});
            listen(t.device_id, Interest::Kind::kEvents);
          } else if constexpr (std::is_same_v<T, ConnectionTrigger>) {
            devices_[t.device_id].connections.push_back({&rule, i});
            listen(t.device_id, Interest::Kind::kConnections);
          }
        },
        r.triggers[i]);
  }
  // The values conditions and waits read, and the news waits listen for.
  std::function<void(const Condition&)> condition = [&](const Condition& c) {
    if (c.kind == Condition::Kind::kProperty) {
      listen(c.property.device_id, Interest::Kind::kReports);
      to_fetch.push_back(c.property.device_id);
      if (c.other) {
        listen(c.other->device_id, Interest::Kind::kReports);
        to_fetch.push_back(c.other->device_id);
      }
    }
    for (const auto& child : c.children) condition(child);
  };
  for (const auto& c : r.conditions) condition(c);
  visit_actions(r.actions, "actions", [&](const Action& a, const std::string&) {
    for (const Trigger& t : a.wait_for) {
      if (const auto* p = std::get_if<PropertyTrigger>(&t)) {
        listen(p->property.device_id, Interest::Kind::kReports);
        to_fetch.push_back(p->property.device_id);
      } else if (const auto* e = std::get_if<EventTrigger>(&t)) {
        listen(e->device_id, Interest::Kind::kEvents);
      } else if (const auto* c = std::get_if<ConnectionTrigger>(&t)) {
        listen(c->device_id, Interest::Kind::kConnections);
      }
    }
    for (const Branch& b : a.branches) {
      for (const auto& c : b.conditions) condition(c);
    }
    for (const auto& c : a.while_conditions) condition(c);
  });
  std::sort(to_fetch.begin(), to_fetch.end());
  to_fetch.erase(std::unique(to_fetch.begin(), to_fetch.end()), to_fetch.end());
  for (const auto& device_id : to_fetch) {
    if (!values_.contains(device_id)) effects_.fetch_state(device_id);
  }
  schedule_clock_triggers(rule);
}

void Engine::uninstall(RuleState& rule) {
  if (!rule.installed) return;
  rule.installed = false;
  const auto drop = [&](std::vector<TriggerRef>& refs) {
    std::erase_if(refs, [&](const TriggerRef& ref) { return ref.rule == &rule; });
  };
  for (const auto& [device_id, kind] : rule.interests) {
    interest_.remove(device_id, kind);
    // Values nobody listens to any more would go stale: forget them (install() fetches them again).
    if (kind == Interest::Kind::kReports && !interest_.wants(device_id, kind)) values_.erase(device_id);
    auto it = devices_.find(device_id);
    if (it == devices_.end()) continue;
    for (auto& [key, refs] : it->second.properties) drop(refs);
    drop(it->second.events);
    drop(it->second.connections);
  }
  rule.interests.clear();
  for (auto& timer : rule.hold_timers) cancel_timer(timer);
  for (auto& timer : rule.clock_timers) cancel_timer(timer);
}

void Engine::schedule_clock_triggers(RuleState& rule) {
  for (std::size_t i = 0; i < rule.rule->triggers.size(); ++i) {
    const Trigger& trigger = rule.rule->triggers[i];
    cancel_timer(rule.clock_timers[i]);
    auto when = next_clock_time(trigger, rule.home_id, now());
    if (!when) continue;
    // Fires, then sets itself for the next time.
    struct Rearm {
      Engine* engine;
      RuleState* rule;
      std::size_t index;
      void operator()() const {
        const Trigger& t = rule->rule->triggers[index];
        rule->clock_timers[index] = 0;
        const std::int64_t at = engine->now();
        std::string what;
        if (const auto* time = std::get_if<TimeTrigger>(&t)) what = "time " + clock_text(time->minute_of_day);
        else if (std::holds_alternative<CronTrigger>(t)) what = "cron";
        else if (const auto* sun = std::get_if<SunTrigger>(&t)) {
          what = sun->sunrise ? "sunrise" : "sunset";
          if (sun->offset.count()) what += fmt::format(" {}{}", sun->offset.count() > 0 ? "+" : "-",
                                                       duration_text(std::abs(sun->offset.count())));
        }
        if (auto next = engine->next_clock_time(t, rule->home_id, at)) {
          rule->clock_timers[index] = engine->add_timer(*next, Rearm{engine, rule, index});
        }
        engine->fire(*rule, what);
      }
    };
    rule.clock_timers[i] = add_timer(*when, Rearm{this, &rule, i});
  }
}

std::optional<std::int64_t> Engine::next_clock_time(const Trigger& trigger, const std::string& home_id,
                                                    std::int64_t after) const {
  auto home_it = homes_.find(home_id);
  static const HomeState kDefaultHome;
  const HomeState& home = home_it == homes_.end() ? kDefaultHome : *home_it->second;
  const LocalTime today = home.zone.local_time(after);
  const std::int64_t first_day = days_from_civil(today.year, today.month, today.day);
  if (const auto* t = std::get_if<TimeTrigger>(&trigger)) {
    for (std::int64_t day = first_day; day < first_day + 9; ++day) {
      const CivilDate date = civil_from_days(day);
      const std::int64_t at = home.zone.to_epoch_ms(date.year, date.month, date.day, t->minute_of_day);
      if (at > after && on_weekday(t->weekdays, weekday_of(day))) return at;
    }
    return std::nullopt;
  }
  if (const auto* c = std::get_if<CronTrigger>(&trigger)) {
    // Day by day (up to 8 years: "0 0 29 2 *" waits for a leap year), then its hours and minutes.
    for (std::int64_t day = first_day; day < first_day + 8 * 366; ++day) {
      const CivilDate date = civil_from_days(day);
      if (!c->cron.matches_day(date.day, date.month, weekday_of(day))) continue;
      for (int hour = 0; hour < 24; ++hour) {
        if (!c->cron.hours[hour]) continue;
        for (int minute = 0; minute < 60; ++minute) {
          if (!c->cron.minutes[minute]) continue;
          const std::int64_t at = home.zone.to_epoch_ms(date.year, date.month, date.day, hour * 60 + minute);
          if (at > after) return at;
        }
      }
    }
    return std::nullopt;
  }
  if (const auto* s = std::get_if<SunTrigger>(&trigger)) {
    if (!home.settings.location) return std::nullopt;
    for (std::int64_t day = first_day; day < first_day + 370; ++day) {
      const CivilDate date = civil_from_days(day);
      const SunTimes sun = sun_times(*home.settings.location, date.year, date.month, date.day, home.zone);
      const auto& event = s->sunrise ? sun.sunrise_ms : sun.sunset_ms;
      if (event && *event + s->offset.count() > after) return *event + s->offset.count();
    }
  }
  return std::nullopt;
}

// --- what devices do ---------------------------------------------------------------------------------

void Engine::reported(const std::string& device_id, std::vector<std::pair<hub::PropertyId, spec::Value>> values,
                      std::int64_t time_ms) {
  auto index = devices_.find(device_id);
  auto& known_values = values_[device_id];
  for (auto& [id, value] : values) {
    const std::uint32_t key = hub::property_key(id);
    std::optional<Cached> before;
    if (auto it = known_values.find(key); it != known_values.end()) before = it->second;
    Cached& now_value = known_values[key];
    now_value = Cached{std::move(value), std::max(time_ms, now_value.time_ms)};
    if (index == devices_.end()) continue;
    if (auto refs = index->second.properties.find(key); refs != index->second.properties.end()) {
      for (const TriggerRef& ref : std::vector<TriggerRef>(refs->second)) {
        on_property(*ref.rule, ref.index, before ? &*before : nullptr, now_value);
      }
    }
    if (!index->second.waiting.empty()) {
      const Cached current = now_value;
      check_waits(device_id, [&](const Trigger& t) {
        const auto* p = std::get_if<PropertyTrigger>(&t);
        if (!p || p->property.device_id != device_id || hub::property_key(p->property.id) != key) {
          return WaitMatch::kUnrelated;
        }
        const bool yes = has_target(*p) ? matches_value(*p, current.value) : !before || before->value != current.value;
        return yes ? WaitMatch::kYes : WaitMatch::kNo;
      });
    }
  }
  flush();
}

void Engine::on_property(RuleState& rule, std::size_t index, const Cached* before, const Cached& value) {
  if (!rule.enabled()) return;
  const auto& t = std::get<PropertyTrigger>(rule.rule->triggers[index]);
  bool fires;
  if (has_target(t)) {
    fires = matches_value(t, value.value) && (!before || !matches_value(t, before->value));
  } else {
    fires = !before || before->value != value.value;
  }
  if (t.from && !(before && before->value == *t.from)) fires = false;
  // "for": a value that no longer matches ends the hold; a change starts it again.
  if (t.hold.count() && has_target(t) && !matches_value(t, value.value)) cancel_timer(rule.hold_timers[index]);
  if (!fires) return;
  const std::string& device = t.property.device_id;
  const bool caused = commanded_recently(device, hub::property_key(t.property.id));
  std::string what = fmt::format("{}: {} {} → {}", rule.name_of(device), t.property.name,
                                 before ? text(before->value) : "(unknown)", text(value.value));
  if (t.hold.count() == 0) {
    fire(rule, std::move(what), caused);
    return;
  }
  cancel_timer(rule.hold_timers[index]);
  RuleState* r = &rule;
  what += fmt::format(" for {}", duration_text(t.hold.count()));
  rule.hold_timers[index] = add_timer(value.time_ms + t.hold.count(), [this, r, index, what, caused] {
    r->hold_timers[index] = 0;
    fire(*r, what, caused);
  });
}

void Engine::event(const std::string& device_id, const std::string& event, const json::object& arguments) {
  auto index = devices_.find(device_id);
  if (index == devices_.end()) return;
  const auto matches = [&](const EventTrigger& t) {
    if (t.device_id != device_id || t.event != event) return false;
    for (const auto& [name, wanted] : t.arguments) {
      const json::value* given = arguments.if_contains(name);
      if (!given || *given != spec::to_json(wanted)) return false;
    }
    return true;
  };
  for (const TriggerRef& ref : std::vector<TriggerRef>(index->second.events)) {
    const auto& t = std::get<EventTrigger>(ref.rule->rule->triggers[ref.index]);
    if (!ref.rule->enabled() || !matches(t)) continue;
    fire(*ref.rule, fmt::format("{}: event {}", ref.rule->name_of(device_id), event),
         commanded_recently(device_id, 0));
  }
  check_waits(device_id, [&](const Trigger& t) {
    const auto* e = std::get_if<EventTrigger>(&t);
    return e && matches(*e) ? WaitMatch::kYes : WaitMatch::kUnrelated;
  });
  flush();
}

void Engine::connection(const std::string& device_id, bool online) {
  auto index = devices_.find(device_id);
  if (index == devices_.end()) return;
  for (const TriggerRef& ref : std::vector<TriggerRef>(index->second.connections)) {
    const auto& t = std::get<ConnectionTrigger>(ref.rule->rule->triggers[ref.index]);
    if (!ref.rule->enabled() || t.online != online) continue;
    fire(*ref.rule, fmt::format("{}: {}", ref.rule->name_of(device_id), online ? "online" : "offline"));
  }
  check_waits(device_id, [&](const Trigger& t) {
    const auto* c = std::get_if<ConnectionTrigger>(&t);
    return c && c->device_id == device_id && c->online == online ? WaitMatch::kYes : WaitMatch::kUnrelated;
  });
  flush();
}

void Engine::known(const std::string& device_id, hub::PropertyId property, spec::Value value, std::int64_t time_ms) {
  Cached& cached = values_[device_id][hub::property_key(property)];
  if (cached.time_ms > time_ms) return;
  cached = Cached{std::move(value), time_ms};
}

bool Engine::commanded_recently(const std::string& device_id, std::uint32_t property_key) const {
  auto device = commanded_.find(device_id);
  if (device == commanded_.end()) return false;
  const std::int64_t now_ms = now();
  for (const auto& [key, when] : device->second) {
    // Key 0: an action call, which may change any property; asked with 0: any command at all.
    if ((key == 0 || property_key == 0 || key == property_key) && now_ms - when <= kCausedWithinMs) return true;
  }
  return false;
}

// --- runs -----------------------------------------------------------------------------------------

Engine::Fired Engine::fire(RuleState& rule, std::string trigger, bool caused_by_automation) {
  if (!rule.enabled()) return {0, false, "the rule is disabled"};
  const std::int64_t now_ms = now();
  if (caused_by_automation) {
    // A rule whose runs keep setting off its own triggers is a loop: stop it before it floods devices.
    rule.caused_runs.push_back(now_ms);
    std::erase_if(rule.caused_runs, [&](std::int64_t at) { return now_ms - at > kLoopWindowMs; });
    if (rule.caused_runs.size() >= kLoopRuns) {
      rule.caused_runs.clear();
      rule.stopped = true;
      rule.problem = fmt::format(
          "stopped: it triggered itself in a loop ({} runs in {} s, each set off by a value a rule had just set; "
          "last: {}). Change the rule, then enable it again.",
          kLoopRuns, kLoopWindowMs / 1000, trigger);
      spdlog::warn("rule '{}' ({}): {}", rule.rule->name, rule.id, rule.problem);
      if (auto saved = save(rule); !saved) spdlog::error("rule {}: {}", rule.id, saved.error());
      stop_runs(rule, "stopped: a loop");
      uninstall(rule);
      effects_.publish(rule.home_id, json::object{{"type", "notification"},
                                                  {"rule", rule.id},
                                                  {"message", fmt::format("Rule '{}' was {}", rule.rule->name,
                                                                          rule.problem)}});
      return {0, false, rule.problem};
    }
  }
  const std::size_t running = rule.running();
  switch (rule.rule->mode) {
    case RunMode::kSingle:
      if (running > 0) return {0, false, "ignored: a run is going (mode single)"};
      break;
    case RunMode::kRestart:
      if (running > 0) stop_runs(rule, "stopped: restarted by " + trigger);
      break;
    case RunMode::kQueued:
      if (running > 0) {
        if (rule.queued.size() >= rule.rule->max_runs) {
          return {0, false, fmt::format("dropped: {} runs wait already (mode queued, max_runs {})",
                                        rule.queued.size(), rule.rule->max_runs)};
        }
        rule.queued.push_back(std::move(trigger));
        return {0, true, "queued: it runs when the run going ends (mode queued)"};
      }
      break;
    case RunMode::kParallel:
      if (running >= rule.rule->max_runs) {
        return {0, false,
                fmt::format("dropped: {} runs are going (mode parallel, max_runs {})", running, rule.rule->max_runs)};
      }
      break;
  }
  return {start_run(rule, std::move(trigger)), false, {}};
}

std::uint64_t Engine::start_run(RuleState& rule, std::string trigger) {
  auto run = std::make_unique<Run>();
  run->id = next_run_id_++;
  run->rule = &rule;
  run->trace = std::make_shared<Trace>();
  run->trace->run = run->id;
  run->trace->trigger = std::move(trigger);
  run->trace->started_ms = now();
  rule.last_run_ms = run->trace->started_ms;
  rule.traces.push_back(run->trace);
  if (rule.traces.size() > kTracesKept) rule.traces.erase(rule.traces.begin());
  Run& started = *run;
  rule.runs.push_back(std::move(run));
  const std::uint64_t id = started.id;
  if (!holds(rule.rule->conditions, "conditions", &started)) {
    end_run(started, "conditions not met");
    return id;
  }
  started.root = std::make_unique<Strand>();
  started.root->run = &started;
  started.root->frames.push_back(Frame{&rule.rule->actions, 0, 0, 0, "actions"});
  advance(*started.root);
  return id;
}

void Engine::advance(Strand& strand) {
  Run& run = *strand.run;
  RuleState& rule = *run.rule;
  Trace& trace = *run.trace;
  strand.state = Strand::State::kReady;
  while (!run.ended) {
    if (strand.frames.empty()) return finish_strand(strand);
    Frame& frame = strand.frames.back();
    if (frame.next >= frame.actions->size()) {
      // The list is done; a repeat may go round again.
      const std::uint32_t iteration = frame.iteration + 1;
      std::string path = frame.path;
      strand.frames.pop_back();
      if (strand.frames.empty()) continue;
      Frame& outer = strand.frames.back();
      const Action& owner = (*outer.actions)[outer.next - 1];
      if (owner.kind != Action::Kind::kRepeat) continue;
      const std::string owner_path = fmt::format("{}[{}]", outer.path, outer.next - 1);
      const bool again = owner.count ? iteration < owner.count
                                     : holds(owner.while_conditions, owner_path + ".repeat.while", &run);
      if (again) strand.frames.push_back(Frame{&owner.otherwise, 0, 0, iteration, std::move(path)});
      continue;
    }
    if (++run.steps > kStepsWithoutWaiting) {
      return end_run(run, fmt::format("error: {} steps without waiting; is there a repeat that never waits?",
                                      kStepsWithoutWaiting));
    }
    const std::size_t index = frame.next++;
    const Action& a = (*frame.actions)[index];
    const std::string path = fmt::format("{}[{}]", frame.path, index);
    const std::int64_t started = now();
    const auto step = [&](std::string action, std::string detail, std::string result, bool ended = true) {
      trace.steps.push_back({path, std::move(action), std::move(detail), std::move(result), started,
                             ended ? started : 0});
      return trace.steps.size() - 1;
    };
    // A command's answer fills in its step, if it is not what the step says already.
    const auto answer = [trace = run.trace](std::size_t step) {
      return [trace, step](Outcome outcome) {
        if (step < trace->steps.size()) {
          trace->steps[step].result = outcome.ok ? outcome.status : outcome.status + ": " + outcome.message;
        }
      };
    };
    switch (a.kind) {
      case Action::Kind::kSet: {
        std::string detail = rule.name_of(a.device_id) + ":";
        std::vector<hub::CheckedValue> values;
        for (const auto& [property, value] : a.values) {
          detail += fmt::format(" {} = {}", property.name, text(value));
          values.push_back({property.id, property.name, value});
          commanded_[a.device_id][hub::property_key(property.id)] = started;
        }
        const std::size_t s = step("set", std::move(detail), "sent");
        effects_.set(rule.home_id, a.device_id, std::move(values), answer(s));
        break;
      }
      case Action::Kind::kCall: {
        std::string detail = fmt::format("{}: {}", rule.name_of(a.device_id), a.action);
        json::object in;
        for (const auto& [name, value] : a.in) {
          in[name] = spec::to_json(value);
          detail += fmt::format(" {}={}", name, text(value));
        }
        commanded_[a.device_id][0] = started;
        const std::size_t s = step("call", std::move(detail), "sent");
        effects_.call(rule.home_id, a.device_id, a.action, std::move(in), answer(s));
        break;
      }
      case Action::Kind::kScene: {
        const SceneState* scene = find_scene(rule.home_id, a.name);
        if (!scene || !scene->problem.empty()) {
          step("scene", a.name, scene ? fmt::format("error: the scene no longer fits its devices: {}", scene->problem)
                                      : fmt::format("error: no scene '{}' in this home", a.name));
          break;
        }
        const std::size_t devices = apply_scene_states(*scene, fmt::format("scene '{}' run by rule '{}'",
                                                                             scene->scene.name, rule.rule->name));
        step("scene", a.name, fmt::format("sent to {} device(s)", devices));
        break;
      }
      case Action::Kind::kDelay: {
        strand.step = step("delay", duration_text(a.duration.count()), "waiting", false);
        strand.state = Strand::State::kDelay;
        strand.wait = &a;
        strand.until = started + a.duration.count();
        arm_delay(strand);
        dirty_.insert(&run);  // paused: stored at the next flush
        return;
      }
      case Action::Kind::kWait: {
        strand.step = step("wait", "at most " + duration_text(a.duration.count()), "waiting", false);
        strand.until = started + a.duration.count();
        if (enter_wait(strand, a, strand.step)) {
          dirty_.insert(&run);
          return;
        }
        break;  // already so: go on
      }
      case Action::Kind::kIf: {
        std::size_t chosen = a.branches.size();
        for (std::size_t b = 0; b < a.branches.size(); ++b) {
          const std::string condition_path = b == 0 ? path + ".if" : fmt::format("{}.else_if[{}].if", path, b - 1);
          if (holds(a.branches[b].conditions, condition_path, &run)) {
            chosen = b;
            break;
          }
        }
        std::string sub_path;
        const std::vector<Action>* list = sublist(a, static_cast<std::uint32_t>(chosen), path, sub_path);
        step("if", {}, chosen == 0 ? "then" : chosen < a.branches.size() ? fmt::format("else_if[{}]", chosen - 1)
                                   : a.otherwise.empty()                 ? "no branch"
                                                                         : "else");
        strand.frames.push_back(Frame{list, 0, static_cast<std::uint32_t>(chosen), 0, std::move(sub_path)});
        break;
      }
      case Action::Kind::kRepeat: {
        const bool once = a.count ? true : holds(a.while_conditions, path + ".repeat.while", &run);
        step("repeat", a.count ? fmt::format("{} times", a.count) : "while", once ? "started" : "not needed");
        if (once) strand.frames.push_back(Frame{&a.otherwise, 0, 0, 0, path + ".repeat.actions"});
        break;
      }
      case Action::Kind::kParallel: {
        strand.step = step("parallel", fmt::format("{} lists", a.branches.size()), "running", false);
        strand.state = Strand::State::kChildren;
        strand.launching = true;
        strand.children_left = a.branches.size();
        for (std::uint32_t b = 0; b < a.branches.size(); ++b) {
          auto child = std::make_unique<Strand>();
          child->run = &run;
          child->parent = &strand;
          child->branch = b;
          std::string sub_path;
          const std::vector<Action>* list = sublist(a, b, path, sub_path);
          child->frames.push_back(Frame{list, 0, b, 0, std::move(sub_path)});
          strand.children.push_back(std::move(child));
        }
        for (std::size_t b = 0; b < strand.children.size() && !run.ended; ++b) advance(*strand.children[b]);
        strand.launching = false;
        if (run.ended) return;
        if (strand.children_left > 0) return;
        trace.steps[strand.step].result = "done";
        trace.steps[strand.step].ended_ms = now();
        strand.children.clear();
        strand.state = Strand::State::kReady;
        break;
      }
      case Action::Kind::kMode: {
        HomeState& home = home_state(rule.home_id);
        if (home.settings.mode == a.name) {
          step("mode", a.name, "already so");
          break;
        }
        const std::string before = home.settings.mode;
        home.settings.mode = a.name;
        if (auto saved = save_settings(rule.home_id); !saved) {
          home.settings.mode = before;
          step("mode", a.name, "error: " + saved.error());
          break;
        }
        effects_.publish(rule.home_id, json::object{{"type", "mode"}, {"mode", a.name}, {"rule", rule.id}});
        step("mode", a.name, "done");
        break;
      }
      case Action::Kind::kNotify:
        effects_.publish(rule.home_id, json::object{{"type", "notification"}, {"rule", rule.id}, {"message", a.name}});
        step("notify", a.name, "sent");
        break;
      case Action::Kind::kWebhook: {
        const std::size_t s = step("webhook", fmt::format("{} {}", a.method, a.url), "sending");
        effects_.webhook(a.method, a.url, a.body, answer(s));
        break;
      }
    }
  }
}

void Engine::arm_delay(Strand& strand) {
  Strand* s = &strand;
  strand.timer = add_timer(strand.until, [this, s] {
    s->timer = 0;
    resume_wait(*s, "done");
  });
}

bool Engine::enter_wait(Strand& strand, const Action& wait, std::size_t step) {
  strand.wait = &wait;
  strand.step = step;
  Strand* s = &strand;
  // A wait on a value is over at once if the value is so already (and has been, for "for").
  std::optional<std::int64_t> hold_until;
  for (const Trigger& t : wait.wait_for) {
    const auto* p = std::get_if<PropertyTrigger>(&t);
    if (!p || !has_target(*p)) continue;
    auto device = values_.find(p->property.device_id);
    if (device == values_.end()) continue;
    auto value = device->second.find(hub::property_key(p->property.id));
    if (value == device->second.end() || !matches_value(*p, value->second.value)) continue;
    const std::int64_t since = value->second.time_ms;
    if (p->hold.count() == 0 || since + p->hold.count() <= now()) {
      strand.run->trace->steps[step].result = "already so";
      strand.run->trace->steps[step].ended_ms = now();
      strand.state = Strand::State::kReady;
      return false;
    }
    hold_until = since + p->hold.count();
  }
  strand.state = Strand::State::kWait;
  for (const Trigger& t : wait.wait_for) {
    std::string device_id;
    if (const auto* p = std::get_if<PropertyTrigger>(&t)) device_id = p->property.device_id;
    else if (const auto* e = std::get_if<EventTrigger>(&t)) device_id = e->device_id;
    else if (const auto* c = std::get_if<ConnectionTrigger>(&t)) device_id = c->device_id;
    else if (std::holds_alternative<WebhookTrigger>(t)) {
      home_state(strand.run->rule->home_id).waiting_hooks.push_back(s);
      strand.waiting_hook = true;
    } else if (auto at = next_clock_time(t, strand.run->rule->home_id, now())) {
      if (!hold_until || *at < *hold_until) hold_until = *at;
    }
    if (!device_id.empty()) {
      devices_[device_id].waiting.push_back(s);
      strand.waiting_devices.push_back(device_id);
    }
  }
  if (hold_until) {
    strand.hold_timer = add_timer(*hold_until, [this, s] {
      s->hold_timer = 0;
      resume_wait(*s, "triggered");
    });
  }
  strand.timer = add_timer(strand.until, [this, s] {
    s->timer = 0;
    resume_wait(*s, "timed out");
  });
  return true;
}

void Engine::check_waits(const std::string& device_id, const std::function<WaitMatch(const Trigger&)>& matches) {
  auto index = devices_.find(device_id);
  if (index == devices_.end()) return;
  for (Strand* strand : std::vector<Strand*>(index->second.waiting)) {
    // A strand resumed before it in this loop may have ended this one's run.
    if (strand->state != Strand::State::kWait || strand->run->ended) continue;
    for (const Trigger& t : strand->wait->wait_for) {
      const WaitMatch match = matches(t);
      if (match == WaitMatch::kUnrelated) continue;
      if (match == WaitMatch::kNo) {
        cancel_timer(strand->hold_timer);  // a value that no longer matches ends a "for" being held
        continue;
      }
      const auto* p = std::get_if<PropertyTrigger>(&t);
      if (p && p->hold.count()) {
        if (strand->hold_timer == 0) {
          Strand* s = strand;
          strand->hold_timer = add_timer(now() + p->hold.count(), [this, s] {
            s->hold_timer = 0;
            resume_wait(*s, "triggered");
          });
        }
        break;
      }
      resume_wait(*strand, "triggered");
      break;
    }
  }
}

void Engine::resume_wait(Strand& strand, std::string result) {
  release(strand);
  Trace& trace = *strand.run->trace;
  if (strand.step < trace.steps.size()) {
    trace.steps[strand.step].result = std::move(result);
    trace.steps[strand.step].ended_ms = now();
  }
  strand.wait = nullptr;
  dirty_.insert(strand.run);
  advance(strand);
}

// Disarms what the strand waits on (not its children).
void Engine::release(Strand& strand) {
  cancel_timer(strand.timer);
  cancel_timer(strand.hold_timer);
  for (const auto& device_id : strand.waiting_devices) {
    auto it = devices_.find(device_id);
    if (it != devices_.end()) std::erase(it->second.waiting, &strand);
  }
  strand.waiting_devices.clear();
  if (strand.waiting_hook) {
    std::erase(home_state(strand.run->rule->home_id).waiting_hooks, &strand);
    strand.waiting_hook = false;
  }
}

void Engine::finish_strand(Strand& strand) {
  strand.state = Strand::State::kDone;
  Strand* parent = strand.parent;
  if (!parent) return end_run(*strand.run, "done");
  if (--parent->children_left > 0 || parent->launching) return;
  Trace& trace = *strand.run->trace;
  trace.steps[parent->step].result = "done";
  trace.steps[parent->step].ended_ms = now();
  parent->children.clear();  // `strand` is gone from here on
  advance(*parent);
}

void Engine::end_run(Run& run, std::string result) {
  if (run.ended) return;
  run.ended = true;
  if (run.root) {
    std::function<void(Strand&)> disarm = [&](Strand& s) {
      release(s);
      // A delay, wait or parallel cut short ends with the run.
      if (s.state != Strand::State::kReady && s.state != Strand::State::kDone && s.step < run.trace->steps.size() &&
          run.trace->steps[s.step].ended_ms == 0) {
        run.trace->steps[s.step].result = "stopped";
        run.trace->steps[s.step].ended_ms = now();
      }
      for (auto& child : s.children) {
        if (child) disarm(*child);
      }
    };
    disarm(*run.root);
  }
  run.trace->result = std::move(result);
  run.trace->ended_ms = now();
  if (run.stored) dirty_.insert(&run);  // its record goes
  RuleState& rule = *run.rule;
  ended_.insert(&rule);
  // A queued trigger starts once the run before it ends.
  if (rule.rule->mode == RunMode::kQueued && !rule.queued.empty() && rule.enabled()) {
    std::string next = std::move(rule.queued.front());
    rule.queued.erase(rule.queued.begin());
    start_run(rule, std::move(next));
  }
}

void Engine::stop_runs(RuleState& rule, const std::string& why) {
  rule.queued.clear();
  for (auto& run : rule.runs) end_run(*run, why);
}

// --- persistence of runs ------------------------------------------------------------------------------

void Engine::flush() {
  if (!dirty_.empty()) write_runs();
  // Ended runs are freed only now, when nothing on the stack can point at them.
  for (RuleState* rule : ended_) {
    rule->runs.remove_if([](const std::unique_ptr<Run>& run) { return run->ended; });
  }
  ended_.clear();
}

void Engine::write_runs() {
  store::WriteBatch batch;
  std::function<json::object(const Strand&)> strand_json = [&](const Strand& s) {
    json::array frames;
    for (const Frame& f : s.frames) frames.push_back(json::array{f.part, f.next, f.iteration});
    json::object out{{"branch", s.branch},
                     {"frames", std::move(frames)},
                     {"until", s.until},
                     {"step", s.step}};
    switch (s.state) {
      case Strand::State::kDelay: out["state"] = "delay"; break;
      case Strand::State::kWait: out["state"] = "wait"; break;
      case Strand::State::kChildren: {
        out["state"] = "children";
        json::array children;
        for (const auto& child : s.children) {
          if (child && child->state != Strand::State::kDone) children.push_back(strand_json(*child));
          else children.push_back(nullptr);
        }
        out["children"] = std::move(children);
        break;
      }
      default: out["state"] = "ready"; break;
    }
    return out;
  };
  for (Run* run : dirty_) {
    if (run->ended) {
      if (run->stored) batch.erase(store::Space::kAutomations, run_key(run->id));
      continue;
    }
    json::object record{{"id", run->id}, {"rule", run->rule->id}, {"trace", run->trace->to_json()},
                        {"strand", strand_json(*run->root)}};
    batch.put(store::Space::kAutomations, run_key(run->id), json::serialize(record));
    run->stored = true;
  }
  dirty_.clear();
  if (batch.empty()) return;
  if (auto written = store_.write(batch); !written) {
    spdlog::error("automations: paused runs could not be stored: {}", written.error());
  }
}

// --- conditions -----------------------------------------------------------------------------------

bool Engine::holds(const std::vector<Condition>& conditions, const std::string& path, Run* run) {
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    if (!holds(conditions[i], fmt::format("{}[{}]", path, i), run)) return false;
  }
  return true;
}

std::string Engine::describe(const PropertyRef& property) const {
  auto device = registry_.find_device(property.device_id);
  return fmt::format("{} {}", device ? device->name : property.device_id, property.name);
}

bool Engine::holds(const Condition& c, const std::string& path, Run* run) {
  const std::string& home_id = run->rule->home_id;
  HomeState& home = home_state(home_id);
  const std::int64_t now_ms = now();
  bool result = false;
  std::string why;
  std::string here = path;
  const auto value_of = [&](const PropertyRef& p) -> const Cached* {
    auto device = values_.find(p.device_id);
    if (device == values_.end()) return nullptr;
    auto value = device->second.find(hub::property_key(p.id));
    return value == device->second.end() ? nullptr : &value->second;
  };
  switch (c.kind) {
    case Condition::Kind::kAnd:
    case Condition::Kind::kOr: {
      const bool all = c.kind == Condition::Kind::kAnd;
      here += all ? ".and" : ".or";
      result = all;
      for (std::size_t i = 0; i < c.children.size(); ++i) {
        if (holds(c.children[i], fmt::format("{}[{}]", here, i), run) != all) {
          result = !all;
          break;
        }
      }
      why = all ? (result ? "all hold" : "one does not hold") : (result ? "one holds" : "none holds");
      break;
    }
    case Condition::Kind::kNot:
      here += ".not";
      result = !holds(c.children.front(), here, run);
      why = result ? "it does not hold" : "it holds";
      break;
    case Condition::Kind::kProperty: {
      here += ".property";
      const Cached* value = value_of(c.property);
      const std::string name = describe(c.property);
      if (!value) {
        why = fmt::format("{} has not been reported", name);
        break;
      }
      std::optional<spec::Value> operand = c.value;
      std::string operand_text = c.value ? text(*c.value) : std::string();
      if (c.other) {
        const Cached* other = value_of(*c.other);
        if (!other) {
          why = fmt::format("{} has not been reported", describe(*c.other));
          break;
        }
        operand = other->value;
        operand_text = fmt::format("{} ({})", describe(*c.other), text(other->value));
      }
      const auto a = number(value->value);
      const auto b = number(*operand);
      std::string_view op;
      switch (c.compare) {
        case Compare::kEquals: result = value->value == *operand, op = "equals"; break;
        case Compare::kNotEquals: result = value->value != *operand, op = "is not"; break;
        case Compare::kAbove: result = a && b && *a > *b, op = "above"; break;
        case Compare::kBelow: result = a && b && *a < *b, op = "below"; break;
      }
      why = fmt::format("{} is {} (wanted: {} {})", name, text(value->value), op, operand_text);
      break;
    }
    case Condition::Kind::kTime: {
      here += ".time";
      const int minute = home.zone.local_time(now_ms).minute_of_day;
      result = c.after_minute <= c.before_minute ? minute >= c.after_minute && minute < c.before_minute
                                                 : minute >= c.after_minute || minute < c.before_minute;
      why = fmt::format("it is {}; the window is {} to {}", clock_text(minute), clock_text(c.after_minute),
                        clock_text(c.before_minute));
      break;
    }
    case Condition::Kind::kWeekday: {
      here += ".weekday";
      const int weekday = home.zone.local_time(now_ms).weekday;
      result = on_weekday(c.weekdays, weekday);
      why = fmt::format("today is {}", kDayNames[weekday]);
      break;
    }
    case Condition::Kind::kSun: {
      here += ".sun";
      const std::string_view event = c.sunrise ? "sunrise" : "sunset";
      if (!home.settings.location) {
        why = "the home has no location (set its latitude and longitude) to know when the sun rises and sets";
        break;
      }
      const LocalTime today = home.zone.local_time(now_ms);
      const SunTimes sun = sun_times(*home.settings.location, today.year, today.month, today.day, home.zone);
      const auto& at = c.sunrise ? sun.sunrise_ms : sun.sunset_ms;
      if (!at) {
        why = fmt::format("there is no {} today (polar day or night)", event);
        break;
      }
      const std::int64_t when = *at + c.sun_offset.count();
      result = c.sun_after ? now_ms >= when : now_ms < when;
      why = fmt::format("{} today is at {}{}; it is {}", event,
                        clock_text(home.zone.local_time(*at).minute_of_day),
                        c.sun_offset.count() ? fmt::format(" (offset {}{})", c.sun_offset.count() > 0 ? "+" : "-",
                                                           duration_text(std::abs(c.sun_offset.count())))
                                             : std::string(),
                        clock_text(today.minute_of_day));
      break;
    }
    case Condition::Kind::kMode:
      here = path + ".mode";
      result = home.settings.mode == c.mode;
      why = fmt::format("the home's mode is {}", home.settings.mode);
      break;
  }
  if (run) run->trace->conditions.push_back({here, result, why});
  return result;
}

// --- timers ----------------------------------------------------------------------------------------

std::uint64_t Engine::add_timer(std::int64_t when, std::function<void()> task) {
  const std::uint64_t id = next_timer_id_++;
  timers_.emplace(std::pair{when, id}, std::move(task));
  timer_times_[id] = when;
  return id;
}

void Engine::cancel_timer(std::uint64_t& id) {
  if (id == 0) return;
  if (auto it = timer_times_.find(id); it != timer_times_.end()) {
    timers_.erase({it->second, id});
    timer_times_.erase(it);
  }
  id = 0;
}

std::optional<std::int64_t> Engine::next_timer() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

void Engine::run_timers() {
  const std::int64_t now_ms = now();
  while (!timers_.empty() && timers_.begin()->first.first <= now_ms) {
    auto node = timers_.extract(timers_.begin());
    timer_times_.erase(node.key().second);
    node.mapped()();
  }
  flush();
}

}  // namespace millet::automation
