// Matching a topic in a trie of 100,000 filters, shaped like a building's
// devices: mostly exact per-device filters, some wildcards per floor and room.

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mqtt/session.h"
#include "mqtt/subscription_trie.h"

namespace millet::mqtt {
namespace {

struct Building {
  SubscriptionTrie trie;
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<std::string> topics;

  explicit Building(int filters) {
    std::mt19937 random(42);
    int added = 0;
    for (int floor = 0; added < filters; ++floor) {
      for (int room = 0; room < 50 && added < filters; ++room) {
        for (int device = 0; device < 20 && added < filters; ++device) {
          const std::string base = "site/b1/f" + std::to_string(floor) + "/r" + std::to_string(room) + "/d" +
                                   std::to_string(device);
          add(base + "/state");
          topics.push_back(base + "/state");
          ++added;
          if (device == 0 && added < filters) {
            add("site/b1/f" + std::to_string(floor) + "/r" + std::to_string(room) + "/+/state");
            ++added;
          }
        }
        if (room == 0 && added < filters) {
          add("site/b1/f" + std::to_string(floor) + "/#");
          ++added;
        }
      }
    }
    std::shuffle(topics.begin(), topics.end(), random);
  }

  void add(const std::string& filter) {
    sessions.push_back(std::make_unique<Session>(filter, sessions.size() + 1));
    trie.add(filter, {sessions.back().get(), {}, 0});
  }
};

void BM_TrieMatch(benchmark::State& state) {
  static Building building(static_cast<int>(state.range(0)));
  std::size_t i = 0;
  std::size_t matched = 0;
  for (auto _ : state) {
    building.trie.match(building.topics[i++ % building.topics.size()],
                        [&](SubscriptionTrie::Node& node) { matched += node.subscribers.size(); });
  }
  benchmark::DoNotOptimize(matched);
  state.SetItemsProcessed(state.iterations());
  state.counters["filters"] = static_cast<double>(building.sessions.size());
}
BENCHMARK(BM_TrieMatch)->Arg(100'000);

void BM_TrieSubscribeUnsubscribe(benchmark::State& state) {
  static Building building(100'000);
  Session session("bench", 0);
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& topic = building.topics[i++ % building.topics.size()];
    building.trie.add(topic, {&session, {}, 0});
    building.trie.remove(topic, &session);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrieSubscribeUnsubscribe);

}  // namespace
}  // namespace millet::mqtt

BENCHMARK_MAIN();
