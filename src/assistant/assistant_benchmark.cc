// How long the assistant takes per sentence in a home of 1,000 devices
// (docs/assistant.md, "Speed"): the median and the 99th percentile over a mix
// of English and Chinese sentences, follow-ups and questions included.
//
//   build/src/assistant/assistant_benchmark [rounds]

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "assistant/assistant.h"
#include "spec/catalog.h"

namespace {

using namespace millet;

// 50 rooms of 20 devices: lights, a lamp, curtains, an AC, a fan, a sensor, plugs, a speaker.
boost::json::object thousand_devices() {
  static constexpr const char* kTypes[] = {"light", "light", "light", "light", "curtain", "air-conditioner",
                                           "fan", "temperature-humidity-sensor", "outlet", "outlet", "speaker",
                                           "blind", "humidifier", "heater", "tv", "switch", "light", "outlet",
                                           "lock", "robot-vacuum"};
  static constexpr const char* kNames[] = {"ceiling light", "lamp", "spotlight", "strip", "curtain", "AC",
                                           "fan", "sensor", "plug", "socket", "speaker", "blind", "humidifier",
                                           "heater", "TV", "light switch", "wall light", "charger plug", "door",
                                           "vacuum"};
  static constexpr const char* kChinese[] = {"吸顶灯", "台灯", "射灯", "灯带", "窗帘", "空调", "风扇", "温湿度计",
                                             "插座", "排插", "音箱", "百叶窗", "加湿器", "取暖器", "电视", "灯开关",
                                             "壁灯", "充电插座", "门锁", "扫地机"};
  boost::json::array rooms;
  boost::json::array devices;
  for (int room = 1; room <= 50; ++room) {
    std::string name = room == 1 ? "Kitchen" : room == 2 ? "Bedroom" : fmt::format("Room {}", room);
    std::string chinese = room == 1 ? "厨房" : room == 2 ? "卧室" : fmt::format("{}号房", room);
    rooms.push_back({{"id", fmt::format("r{}", room)}, {"name", name}, {"aliases", {chinese}}});
    for (int k = 0; k < 20; ++k) {
      devices.push_back({{"id", fmt::format("d{}-{}", room, k)},
                         {"name", fmt::format("{} {}", name, kNames[k])},
                         {"aliases", {fmt::format("{}{}", chinese, kChinese[k])}},
                         {"type", kTypes[k]},
                         {"room", fmt::format("r{}", room)}});
    }
  }
  return {{"name", "Big house"}, {"rooms", rooms}, {"devices", devices}, {"scenes", {{{"name", "Movie night"}}}}};
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
  auto catalog = spec::Catalog::load(MILLET_SPEC_DIR);
  if (!catalog) {
    fmt::print(stderr, "catalog: {}\n", catalog.error());
    return 1;
  }
  auto home = assistant::home_from_json(thousand_devices(), catalog.value());
  if (!home) {
    fmt::print(stderr, "home: {}\n", home.error());
    return 1;
  }
  auto lexicon_start = std::chrono::steady_clock::now();
  assistant::Lexicon lexicon(home.value());
  double lexicon_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - lexicon_start).count();

  const std::vector<std::string> sentences = {
      "turn on the kitchen ceiling light",
      "and the bedroom too",
      "turn off all the lights in room 17",
      "set the bedroom lamp to 40 percent",
      "a bit more",
      "make the room 23 AC 22 degrees",
      "what's the temperature in the kitchen",
      "which lights are on",
      "turn off the fan in 10 minutes",
      "cancel the timer",
      "turn on the kitchn ceiling light",
      "set the kitchen light to red",
      "open the bedroom curtain halfway",
      "run movie night",
      "打开厨房吸顶灯",
      "也把卧室的打开",
      "卧室空调调到二十六度",
      "调高两度",
      "十分钟后关掉厨房风扇",
      "哪些灯开着",
      "卧室的湿度是多少",
      "把卧室的窗帘关上",
      "unlock the kitchen door",
      "yes",
  };
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(rounds) * sentences.size());
  for (int round = 0; round < rounds; ++round) {
    assistant::Conversation conversation;
    for (const std::string& sentence : sentences) {
      auto start = std::chrono::steady_clock::now();
      assistant::Turn turn = assistant::respond(home.value(), lexicon, conversation, sentence);
      auto took = std::chrono::steady_clock::now() - start;
      micros.push_back(std::chrono::duration<double, std::micro>(took).count());
      if (round == 0 && (turn.status == assistant::Status::kNotUnderstood)) {
        fmt::print(stderr, "not understood: {}\n", sentence);
      }
    }
  }
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<std::size_t>(q * static_cast<double>(micros.size() - 1))]; };
  fmt::print("home: {} devices in {} rooms; lexicon built in {:.1f} ms\n", home.value().devices.size(),
             home.value().rooms.size(), lexicon_ms);
  fmt::print("sentences: {} ({} distinct, {} rounds)\n", micros.size(), sentences.size(), rounds);
  fmt::print("per sentence: median {:.1f} µs, p90 {:.1f} µs, p99 {:.1f} µs, max {:.1f} µs\n", at(0.5), at(0.9),
             at(0.99), micros.back());
  fmt::print("targets: median < 200 µs, p99 < 2000 µs: {}\n", at(0.5) < 200 && at(0.99) < 2000 ? "met" : "NOT met");
  return 0;
}
