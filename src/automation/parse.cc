#include "automation/parse.h"

#include <fmt/format.h>

#include <charconv>

#include "hub/registry.h"
#include "spec/validate.h"

namespace millet::automation {
namespace {

namespace json = boost::json;

// Reads one document, keeping the path to what it is reading for its messages.
class Reader {
 public:
  explicit Reader(std::span<const DeviceInfo> devices) : devices_(devices) {}

  Expected<Rule, std::string> rule(const json::value& document) {
    const json::object* o = object(document, "the rule");
    if (!o) return unexpected(error_);
    Rule rule;
    allow(*o, {"name", "enabled", "mode", "max_runs", "triggers", "conditions", "actions"});
    if (auto name = string(*o, "name", true)) rule.name = *name;
    if (const auto* enabled = o->if_contains("enabled")) {
      if (!enabled->is_bool()) fail("\"enabled\" is true or false");
      else rule.enabled = enabled->get_bool();
    }
    if (auto mode = string(*o, "mode", false)) {
      if (*mode == "single") rule.mode = RunMode::kSingle;
      else if (*mode == "restart") rule.mode = RunMode::kRestart;
      else if (*mode == "queued") rule.mode = RunMode::kQueued;
      else if (*mode == "parallel") rule.mode = RunMode::kParallel;
      else if (!mode->empty()) fail(fmt::format("mode '{}' is not single, restart, queued or parallel", *mode));
    }
    if (const auto* max = o->if_contains("max_runs")) {
      if (!max->is_int64() || max->get_int64() < 1 || max->get_int64() > 1000) fail("\"max_runs\" is 1 to 1000");
      else rule.max_runs = static_cast<std::uint32_t>(max->get_int64());
    }
    const json::array* triggers = array(*o, "triggers", true);
    if (triggers && triggers->empty() && error_.empty()) fail("\"triggers\" needs at least one trigger");
    if (triggers) each(*triggers, "triggers", [&](const json::value& t) { rule.triggers.push_back(trigger(t)); });
    if (const json::array* conditions = array(*o, "conditions", false)) {
      each(*conditions, "conditions", [&](const json::value& c) { rule.conditions.push_back(condition(c)); });
    }
    const json::array* actions = array(*o, "actions", true);
    if (actions && actions->empty() && error_.empty()) fail("\"actions\" needs at least one action");
    if (actions) rule.actions = action_list(*actions, "actions");
    if (!error_.empty()) return unexpected(error_);
    return rule;
  }

  Expected<Scene, std::string> scene(const json::value& document) {
    const json::object* o = object(document, "the scene");
    if (!o) return unexpected(error_);
    Scene scene;
    allow(*o, {"name", "states"});
    if (auto name = string(*o, "name", true)) scene.name = *name;
    if (!failed() && scene.name.empty()) fail("\"name\" must not be empty");
    const json::array* states = array(*o, "states", true);
    if (states && states->empty() && !failed()) fail("\"states\" needs at least one device's state");
    if (states) each(*states, "states", [&](const json::value& state) { scene.states.push_back(set_action(state)); });
    if (!error_.empty()) return unexpected(error_);
    return scene;
  }

 private:
  // --- plumbing ------------------------------------------------------------------------
  void fail(std::string message) {
    if (!error_.empty()) return;  // the first problem is the one reported
    error_ = path_.empty() ? std::move(message) : fmt::format("{}: {}", path_, message);
  }
  bool failed() const { return !error_.empty(); }

  template <class F>
  void at(std::string_view step, F&& f) {
    const std::size_t size = path_.size();
    if (!path_.empty() && step.front() != '[') path_ += '.';
    path_ += step;
    f();
    path_.resize(size);
  }
  template <class F>
  void each(const json::array& items, std::string_view name, F&& f) {
    at(name, [&] {
      for (std::size_t i = 0; i < items.size() && !failed(); ++i) at(fmt::format("[{}]", i), [&] { f(items[i]); });
    });
  }

  const json::object* object(const json::value& v, std::string_view what) {
    if (!v.is_object()) {
      fail(fmt::format("{} must be a JSON object", what));
      return nullptr;
    }
    return &v.get_object();
  }
  const json::array* array(const json::object& o, std::string_view key, bool required) {
    const json::value* v = o.if_contains(key);
    if (!v) {
      if (required) fail(fmt::format("\"{}\" is required", key));
      return nullptr;
    }
    if (!v->is_array()) {
      fail(fmt::format("\"{}\" must be a list", key));
      return nullptr;
    }
    return &v->get_array();
  }
  std::optional<std::string> string(const json::object& o, std::string_view key, bool required) {
    const json::value* v = o.if_contains(key);
    if (!v) {
      if (required) fail(fmt::format("\"{}\" is required", key));
      return std::nullopt;
    }
    if (!v->is_string()) {
      fail(fmt::format("\"{}\" must be a string", key));
      return std::nullopt;
    }
    return std::string(v->get_string());
  }
  void allow(const json::object& o, std::initializer_list<std::string_view> keys) {
    for (const auto& [key, value] : o) {
      if (std::find(keys.begin(), keys.end(), std::string_view(key)) == keys.end()) {
        fail(fmt::format("unknown field \"{}\"", std::string_view(key)));
      }
    }
  }
  std::optional<Duration> duration(const json::object& o, std::string_view key) {
    auto text = string(o, key, false);
    if (!text) return std::nullopt;
    auto parsed = parse_duration(*text);
    if (!parsed) {
      at(key, [&] { fail(parsed.error()); });
      return std::nullopt;
    }
    return *parsed;
  }

  // --- devices and values --------------------------------------------------------------
  const DeviceInfo* device(const json::object& o) {
    auto reference = string(o, "device", true);
    if (!reference) return nullptr;
    std::size_t called = 0;
    const DeviceInfo* found = hub::find_named(devices_, *reference, &called);
    if (!found) {
      fail(called > 1 ? fmt::format("two devices are called '{}'; name it by id", *reference)
                      : fmt::format("no device '{}' in this home", *reference));
      return nullptr;
    }
    if (!found->type) {
      fail(fmt::format("device '{}' has a type the catalog lacks", found->name));
      return nullptr;
    }
    return found;
  }
  std::optional<PropertyRef> property(const DeviceInfo& d, std::string_view address) {
    auto found = d.type->find_property(address);
    if (!found) {
      fail(fmt::format("device '{}' ({}) has no property '{}'", d.name, d.type->name, address));
      return std::nullopt;
    }
    return PropertyRef{d.id,
                       hub::PropertyId{static_cast<std::uint16_t>(found->service->siid),
                                       static_cast<std::uint16_t>(found->member->piid)},
                       spec::qualified_name(*found->service, found->member->name), found->service, found->member};
  }
  std::optional<spec::Value> value(const DeviceInfo& d, const PropertyRef& p, const json::value& v) {
    auto checked = spec::check_value(*p.service, *p.property, v);
    if (!checked) {
      fail(checked.error().message(d.name));
      return std::nullopt;
    }
    return std::move(*checked);
  }
  std::optional<double> number(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) {
      fail(fmt::format("\"{}\" must be a number", key));
      return std::nullopt;
    }
    return v->to_number<double>();
  }

  // --- triggers --------------------------------------------------------------------------
  Trigger trigger(const json::value& v) {
    const json::object* o = object(v, "a trigger");
    if (!o) return ManualTrigger{};
    auto type = string(*o, "type", true);
    if (!type) return ManualTrigger{};
    if (*type == "property") return property_trigger(*o);
    if (*type == "event") {
      allow(*o, {"type", "device", "event", "arguments"});
      EventTrigger t;
      const DeviceInfo* d = device(*o);
      auto name = string(*o, "event", true);
      if (!d || !name) return t;
      auto found = d->type->find_event(*name);
      if (!found) {
        fail(fmt::format("device '{}' ({}) has no event '{}'", d->name, d->type->name, *name));
        return t;
      }
      t.device_id = d->id;
      t.event = spec::qualified_name(*found->service, found->member->name);
      if (const json::value* arguments = o->if_contains("arguments")) {
        const json::object* filters = object(*arguments, "\"arguments\"");
        for (const auto& [key, wanted] : filters ? *filters : json::object{}) {
          auto p = property(*d, key);
          if (!p) break;
          if (std::find(found->member->arguments.begin(), found->member->arguments.end(), p->id.piid) ==
                  found->member->arguments.end() ||
              p->service != found->service) {
            fail(fmt::format("event {} has no argument '{}'", t.event, std::string_view(key)));
            break;
          }
          if (auto checked = value(*d, *p, wanted)) t.arguments.emplace_back(p->name, std::move(*checked));
        }
      }
      return t;
    }
    if (*type == "online" || *type == "offline") {
      allow(*o, {"type", "device"});
      const DeviceInfo* d = device(*o);
      return ConnectionTrigger{d ? d->id : "", *type == "online"};
    }
    if (*type == "time") {
      allow(*o, {"type", "at", "weekdays"});
      TimeTrigger t;
      if (auto at_text = string(*o, "at", true)) {
        auto minute = parse_clock_time(*at_text);
        if (!minute) fail(minute.error());
        else t.minute_of_day = *minute;
      }
      if (const json::value* days = o->if_contains("weekdays")) t.weekdays = weekdays(*days);
      return t;
    }
    if (*type == "cron") {
      allow(*o, {"type", "cron"});
      auto text = string(*o, "cron", true);
      if (!text) return ManualTrigger{};
      auto cron = parse_cron(*text);
      if (!cron) {
        fail(cron.error());
        return ManualTrigger{};
      }
      return CronTrigger{*cron};
    }
    if (*type == "sunrise" || *type == "sunset") {
      allow(*o, {"type", "offset"});
      return SunTrigger{*type == "sunrise", duration(*o, "offset").value_or(Duration{0})};
    }
    if (*type == "manual") {
      allow(*o, {"type"});
      return ManualTrigger{};
    }
    if (*type == "webhook") {
      allow(*o, {"type", "id"});
      auto id = string(*o, "id", true);
      if (id && (id->empty() || id->size() > 64 || id->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") !=
                                                         std::string::npos)) {
        fail("a webhook id is 1 to 64 of a-z, 0-9, '-', '_'");
      }
      return WebhookTrigger{id.value_or("")};
    }
    fail(fmt::format("trigger type '{}' is not property, event, online, offline, time, cron, sunrise, sunset, manual "
                     "or webhook",
                     *type));
    return ManualTrigger{};
  }

  PropertyTrigger property_trigger(const json::object& o) {
    allow(o, {"type", "device", "property", "to", "from", "above", "below", "for"});
    PropertyTrigger t;
    const DeviceInfo* d = device(o);
    auto address = string(o, "property", true);
    if (!d || !address) return t;
    auto p = property(*d, *address);
    if (!p) return t;
    t.property = *p;
    if (!p->property->allows(spec::kNotify) && !p->property->allows(spec::kRead)) {
      fail(fmt::format("{} is never reported (access: {}): it cannot trigger", p->name,
                       spec::access_text(p->property->access)));
    }
    if (const json::value* to = o.if_contains("to")) at("to", [&] { t.to = value(*d, *p, *to); });
    if (const json::value* from = o.if_contains("from")) at("from", [&] { t.from = value(*d, *p, *from); });
    t.above = number(o, "above");
    t.below = number(o, "below");
    if ((t.above || t.below) && !spec::is_numeric(p->property->format)) {
      fail(fmt::format("{} is not a number: \"above\" and \"below\" do not apply", p->name));
    }
    t.hold = duration(o, "for").value_or(Duration{0});
    return t;
  }

  Weekdays weekdays(const json::value& v) {
    auto parsed = parse_weekdays(v);
    if (!parsed) {
      at("weekdays", [&] { fail(parsed.error()); });
      return kEveryDay;
    }
    return *parsed;
  }

  // --- conditions ------------------------------------------------------------------------
  Condition condition(const json::value& v) {
    Condition c;
    const json::object* o = object(v, "a condition");
    if (!o) return c;
    if (o->size() != 1) {
      fail("a condition is an object with one key: and, or, not, property, time, weekday, sun or mode");
      return c;
    }
    const auto& [key, body] = *o->begin();
    const std::string_view kind = key;
    at(kind, [&] {
      if (kind == "and" || kind == "or") {
        c.kind = kind == "and" ? Condition::Kind::kAnd : Condition::Kind::kOr;
        if (!body.is_array() || body.get_array().empty()) return fail("a list of conditions");
        for (std::size_t i = 0; i < body.get_array().size() && !failed(); ++i) {
          at(fmt::format("[{}]", i), [&] { c.children.push_back(condition(body.get_array()[i])); });
        }
      } else if (kind == "not") {
        c.kind = Condition::Kind::kNot;
        c.children.push_back(condition(body));
      } else if (kind == "property") {
        property_condition(body, c);
      } else if (kind == "time") {
        c.kind = Condition::Kind::kTime;
        const json::object* t = object(body, "a time window");
        if (!t) return;
        allow(*t, {"after", "before"});
        if (auto after = string(*t, "after", false)) {
          auto m = parse_clock_time(*after);
          if (!m) return fail(m.error());
          c.after_minute = *m;
        }
        if (auto before = string(*t, "before", false)) {
          auto m = parse_clock_time(*before);
          if (!m) return fail(m.error());
          c.before_minute = *m;
        }
      } else if (kind == "weekday") {
        c.kind = Condition::Kind::kWeekday;
        c.weekdays = weekdays(body);
      } else if (kind == "sun") {
        c.kind = Condition::Kind::kSun;
        const json::object* s = object(body, "a sun condition");
        if (!s) return;
        allow(*s, {"after", "before", "offset"});
        auto after = string(*s, "after", false);
        auto before = string(*s, "before", false);
        if (after.has_value() == before.has_value()) return fail("say \"after\" or \"before\": \"sunrise\" or \"sunset\"");
        const std::string& event = after ? *after : *before;
        if (event != "sunrise" && event != "sunset") return fail(fmt::format("'{}' is not sunrise or sunset", event));
        c.sun_after = after.has_value();
        c.sunrise = event == "sunrise";
        c.sun_offset = duration(*s, "offset").value_or(Duration{0});
      } else if (kind == "mode") {
        c.kind = Condition::Kind::kMode;
        if (!body.is_string()) return fail("the home's mode: home, away or sleep");
        c.mode = std::string(body.get_string());
        if (c.mode != "home" && c.mode != "away" && c.mode != "sleep") {
          return fail(fmt::format("mode '{}' is not home, away or sleep", c.mode));
        }
      } else {
        fail(fmt::format("'{}' is not a condition: and, or, not, property, time, weekday, sun or mode", kind));
      }
    });
    return c;
  }

  void property_condition(const json::value& body, Condition& c) {
    c.kind = Condition::Kind::kProperty;
    const json::object* o = object(body, "a property condition");
    if (!o) return;
    allow(*o, {"device", "property", "equals", "not", "above", "below", "than"});
    const DeviceInfo* d = device(*o);
    auto address = string(*o, "property", true);
    if (!d || !address) return;
    auto p = property(*d, *address);
    if (!p) return;
    c.property = *p;
    int operators = 0;
    for (auto [key, compare] : {std::pair{"equals", Compare::kEquals}, std::pair{"not", Compare::kNotEquals},
                                std::pair{"above", Compare::kAbove}, std::pair{"below", Compare::kBelow}}) {
      const json::value* operand = o->if_contains(key);
      if (!operand) continue;
      ++operators;
      c.compare = compare;
      if ((compare == Compare::kAbove || compare == Compare::kBelow) && !spec::is_numeric(p->property->format)) {
        return fail(fmt::format("{} is not a number: \"{}\" does not apply", p->name, key));
      }
      // A value, or another property: {"device": ..., "property": ...}.
      if (operand->is_object()) {
        at(key, [&] {
          const json::object& other = operand->get_object();
          allow(other, {"device", "property"});
          const DeviceInfo* od = device(other);
          auto other_address = string(other, "property", true);
          if (od && other_address) c.other = property(*od, *other_address);
        });
      } else {
        at(key, [&] { c.value = value(*d, *p, *operand); });
      }
    }
    if (operators != 1) fail("say one of \"equals\", \"not\", \"above\", \"below\"");
  }

  // --- actions --------------------------------------------------------------------------------
  std::vector<Action> action_list(const json::array& items, std::string_view name) {
    std::vector<Action> actions;
    each(items, name, [&](const json::value& a) { actions.push_back(action(a)); });
    return actions;
  }
  std::vector<Action> action_field(const json::object& o, std::string_view key, bool required) {
    const json::array* items = array(o, key, required);
    return items ? action_list(*items, key) : std::vector<Action>{};
  }
  std::vector<Condition> condition_field(const json::object& o, std::string_view key) {
    std::vector<Condition> conditions;
    const json::value* v = o.if_contains(key);
    if (!v) return conditions;
    if (v->is_array()) {
      each(v->get_array(), key, [&](const json::value& c) { conditions.push_back(condition(c)); });
    } else {
      at(key, [&] { conditions.push_back(condition(*v)); });
    }
    return conditions;
  }

  Action action(const json::value& v) {
    Action a;
    const json::object* o = object(v, "an action");
    if (!o) return a;
    // An action is an object with one key naming what it does, except "if".
    const std::string_view kind = o->contains("if") ? "if" : o->empty() ? "" : std::string_view(o->begin()->key());
    if (kind != "if" && o->size() != 1) {
      fail("an action is an object with one key: set, call, scene, delay, wait, if, repeat, parallel, mode, notify "
           "or webhook");
      return a;
    }
    const json::value& body = o->at(kind.empty() ? "" : kind);
    at(kind, [&] {
      if (kind == "set") {
        a = set_action(body);
      } else if (kind == "call") {
        a.kind = Action::Kind::kCall;
        const json::object* c = object(body, "a call");
        if (!c) return;
        allow(*c, {"device", "action", "in"});
        const DeviceInfo* d = device(*c);
        auto name = string(*c, "action", true);
        if (!d || !name) return;
        auto found = d->type->find_action(*name);
        if (!found) return fail(fmt::format("device '{}' ({}) has no action '{}'", d->name, d->type->name, *name));
        a.device_id = d->id;
        a.action = spec::qualified_name(*found->service, found->member->name);
        const json::value* in = c->if_contains("in");
        const json::object empty;
        const json::object* given = in ? object(*in, "\"in\"") : &empty;
        if (!given) return;
        for (std::uint32_t piid : found->member->in) {
          const spec::Property* p = found->service->property(piid);
          const std::string arg = spec::qualified_name(*found->service, p->name);
          const json::value* value = given->if_contains(arg);
          if (!value) return fail(fmt::format("action {} needs its argument '{}'", a.action, arg));
          auto checked = spec::check_value(*found->service, *p, *value);
          if (!checked) return fail(checked.error().message(d->name));
          a.in.emplace_back(arg, std::move(*checked));
        }
        if (a.in.size() != given->size()) {
          fail(fmt::format("action {} takes {} argument(s); {} were given", a.action, a.in.size(), given->size()));
        }
      } else if (kind == "scene" || kind == "mode" || kind == "notify") {
        a.kind = kind == "scene" ? Action::Kind::kScene : kind == "mode" ? Action::Kind::kMode : Action::Kind::kNotify;
        if (!body.is_string() || body.get_string().empty()) return fail("a non-empty string");
        a.name = std::string(body.get_string());
        if (a.kind == Action::Kind::kMode && a.name != "home" && a.name != "away" && a.name != "sleep") {
          fail(fmt::format("mode '{}' is not home, away or sleep", a.name));
        }
      } else if (kind == "delay") {
        a.kind = Action::Kind::kDelay;
        if (!body.is_string()) return fail("a duration: \"30s\", \"5m\", \"1h\"");
        auto d = parse_duration(body.get_string());
        if (!d || d->count() < 0) return fail(d ? "a delay cannot be negative" : d.error());
        a.duration = *d;
      } else if (kind == "wait") {
        a.kind = Action::Kind::kWait;
        const json::object* w = object(body, "a wait");
        if (!w) return;
        allow(*w, {"trigger", "timeout"});
        const json::value* t = w->if_contains("trigger");
        if (!t) return fail("\"trigger\" is required");
        at("trigger", [&] { a.wait_for.push_back(trigger(*t)); });
        auto timeout = duration(*w, "timeout");
        if (!failed() && !timeout) return fail("\"timeout\" is required: how long to wait at most");
        if (timeout) a.duration = *timeout;
      } else if (kind == "if") {
        a.kind = Action::Kind::kIf;
        allow(*o, {"if", "then", "else_if", "else"});
        Branch first{condition_field(*o, "if"), action_field(*o, "then", true)};
        a.branches.push_back(std::move(first));
        if (const json::array* more = array(*o, "else_if", false)) {
          each(*more, "else_if", [&](const json::value& b) {
            const json::object* branch = object(b, "a branch: {\"if\": ..., \"then\": [...]}");
            if (!branch) return;
            allow(*branch, {"if", "then"});
            a.branches.push_back(Branch{condition_field(*branch, "if"), action_field(*branch, "then", true)});
          });
        }
        a.otherwise = action_field(*o, "else", false);
      } else if (kind == "repeat") {
        a.kind = Action::Kind::kRepeat;
        const json::object* r = object(body, "a repeat");
        if (!r) return;
        allow(*r, {"count", "while", "actions"});
        if (const json::value* count = r->if_contains("count")) {
          if (!count->is_int64() || count->get_int64() < 1 || count->get_int64() > 10'000) {
            return fail("\"count\" is 1 to 10000");
          }
          a.count = static_cast<std::uint32_t>(count->get_int64());
        }
        a.while_conditions = condition_field(*r, "while");
        if ((a.count == 0) == a.while_conditions.empty()) return fail("say \"count\" or \"while\"");
        a.otherwise = action_field(*r, "actions", true);
      } else if (kind == "parallel") {
        a.kind = Action::Kind::kParallel;
        if (!body.is_array() || body.get_array().empty()) return fail("a list of action lists");
        const json::array& lists = body.get_array();
        for (std::size_t i = 0; i < lists.size() && !failed(); ++i) {
          at(fmt::format("[{}]", i), [&] {
            if (!lists[i].is_array()) return fail("a list of actions");
            a.branches.push_back(Branch{{}, action_list(lists[i].get_array(), "")});
          });
        }
      } else if (kind == "webhook") {
        a.kind = Action::Kind::kWebhook;
        const json::object* w = object(body, "a webhook");
        if (!w) return;
        allow(*w, {"url", "method", "body"});
        a.url = string(*w, "url", true).value_or("");
        a.method = string(*w, "method", false).value_or("POST");
        a.body = string(*w, "body", false).value_or("");
        if (!failed() && !a.url.starts_with("http://") && !a.url.starts_with("https://")) {
          fail(fmt::format("'{}' is not an http:// or https:// URL", a.url));
        }
      } else {
        fail(fmt::format("'{}' is not an action: set, call, scene, delay, wait, if, repeat, parallel, mode, notify or "
                         "webhook",
                         kind));
      }
    });
    return a;
  }

  // {"device": ..., "properties": {...}}: a set action's body, and a scene's state of one device.
  Action set_action(const json::value& body) {
    Action a;
    a.kind = Action::Kind::kSet;
    const json::object* s = object(body, "a set: {\"device\": ..., \"properties\": {...}}");
    if (!s) return a;
    allow(*s, {"device", "properties"});
    const DeviceInfo* d = device(*s);
    const json::value* properties = s->if_contains("properties");
    if (!d) return a;
    if (!properties || !properties->is_object() || properties->get_object().empty()) {
      fail("\"properties\": {\"<service>.<property>\": value, ...}");
      return a;
    }
    a.device_id = d->id;
    for (const auto& [address, wanted] : properties->get_object()) {
      auto p = property(*d, address);
      if (!p) return a;
      if (auto allowed = spec::check_access(*p->service, *p->property, spec::Use::kSet); !allowed) {
        fail(allowed.error().message(d->name));
        return a;
      }
      auto checked = value(*d, *p, wanted);
      if (!checked) return a;
      a.values.emplace_back(*p, std::move(*checked));
    }
    return a;
  }

  std::span<const DeviceInfo> devices_;
  std::string path_;
  std::string error_;
};

}  // namespace

Expected<Rule, std::string> parse_rule(const json::value& document, std::span<const DeviceInfo> devices) {
  return Reader(devices).rule(document);
}

Expected<Scene, std::string> parse_scene(const json::value& document, std::span<const DeviceInfo> devices) {
  return Reader(devices).scene(document);
}

Expected<Duration, std::string> parse_duration(std::string_view text) {
  const std::string original(text);
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  if (text.empty()) return unexpected(fmt::format("'{}' is not a duration (\"30s\", \"5m\", \"1h30m\")", original));
  std::int64_t total = 0;
  while (!text.empty()) {
    std::int64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end == text.data() || !std::isdigit(static_cast<unsigned char>(text.front()))) {
      return unexpected(fmt::format("'{}' is not a duration (\"30s\", \"5m\", \"1h30m\")", original));
    }
    text.remove_prefix(end - text.data());
    std::int64_t unit = 0;
    if (text.starts_with("ms")) {
      unit = 1, text.remove_prefix(2);
    } else if (text.starts_with('s')) {
      unit = 1000, text.remove_prefix(1);
    } else if (text.starts_with('m')) {
      unit = 60'000, text.remove_prefix(1);
    } else if (text.starts_with('h')) {
      unit = 3'600'000, text.remove_prefix(1);
    } else if (text.starts_with('d')) {
      unit = 86'400'000, text.remove_prefix(1);
    } else {
      return unexpected(fmt::format("'{}' is not a duration: each number needs a unit (ms, s, m, h, d)", original));
    }
    total += number * unit;
    if (total > 366LL * 86'400'000) return unexpected(fmt::format("'{}' is longer than a year", original));
  }
  return Duration(negative ? -total : total);
}

Expected<int, std::string> parse_clock_time(std::string_view text) {
  int hour = 0, minute = 0;
  const auto bad = [&] { return unexpected(fmt::format("'{}' is not a time of day (\"07:30\", \"23:00\")", text)); };
  if (text.size() != 5 || text[2] != ':') return bad();
  auto [h_end, h_error] = std::from_chars(text.data(), text.data() + 2, hour);
  auto [m_end, m_error] = std::from_chars(text.data() + 3, text.data() + 5, minute);
  if (h_error != std::errc() || m_error != std::errc() || h_end != text.data() + 2 || m_end != text.data() + 5 ||
      hour > 23 || minute > 59) {
    return bad();
  }
  return hour * 60 + minute;
}

Expected<Weekdays, std::string> parse_weekdays(const json::value& value) {
  static constexpr std::string_view kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (value.is_string()) {
    if (value.get_string() == "weekdays") return Weekdays{0x1F};
    if (value.get_string() == "weekends") return Weekdays{0x60};
  }
  if (!value.is_array() || value.get_array().empty()) {
    return unexpected(std::string("a list of days (\"mon\" ... \"sun\"), \"weekdays\" or \"weekends\""));
  }
  Weekdays days = 0;
  for (const auto& day : value.get_array()) {
    const auto* name = day.if_string();
    const auto* it = name ? std::find(std::begin(kNames), std::end(kNames), std::string_view(*name)) : std::end(kNames);
    if (it == std::end(kNames)) {
      return unexpected(fmt::format("{} is not a day: mon, tue, wed, thu, fri, sat, sun", spec::json_text(day)));
    }
    days |= Weekdays(1u << (it - std::begin(kNames)));
  }
  return days;
}

}  // namespace millet::automation
