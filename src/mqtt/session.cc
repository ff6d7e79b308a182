#include "mqtt/session.h"

#include <algorithm>

#include "base/assert.h"

namespace millet::mqtt {

bool Session::can_send(std::size_t window) const {
  if (resend_pending > 0 || inflight_active_ >= window) return false;
  // Packet ids are handed out in sequence; a finished entry stays queued until
  // those before it finish. Never reuse the id of the oldest entry.
  return inflight.empty() || next_packet_id_ != inflight[0].packet_id;
}

Inflight& Session::start_inflight(Delivery delivery) {
  MILLET_ASSERT(delivery.qos > 0, "only QoS 1 and 2 are tracked in flight");
  Inflight entry;
  entry.packet_id = next_packet_id_;
  next_packet_id_ = next_packet_id_ == 0xFFFF ? 1 : next_packet_id_ + 1;
  entry.state = delivery.qos == 1 ? Inflight::State::kAwaitingPuback : Inflight::State::kAwaitingPubrec;
  entry.delivery = std::move(delivery);
  inflight.push_back(std::move(entry));
  ++inflight_active_;
  return inflight.back();
}

Inflight* Session::find_inflight(std::uint16_t packet_id, Inflight::State expected) {
  // Acknowledgements mostly come in order: the front is the usual hit.
  for (std::size_t i = 0; i < inflight.size(); ++i) {
    Inflight& entry = inflight[i];
    if (entry.packet_id == packet_id && entry.state != Inflight::State::kDone) {
      return entry.state == expected ? &entry : nullptr;
    }
  }
  return nullptr;
}

void Session::finish_inflight(Inflight& entry) {
  MILLET_ASSERT(entry.state != Inflight::State::kDone, "an in-flight entry finishes once");
  if (entry.awaiting_resend) {
    entry.awaiting_resend = false;
    --resend_pending;
  }
  entry.state = Inflight::State::kDone;
  entry.delivery = Delivery{};
  --inflight_active_;
  while (!inflight.empty() && inflight.front().state == Inflight::State::kDone) inflight.pop_front();
}

void Session::restore_inflight(Inflight entry) {
  next_packet_id_ = entry.packet_id == 0xFFFF ? 1 : entry.packet_id + 1;
  entry.sent_before = true;
  inflight.push_back(std::move(entry));
  ++inflight_active_;
}

bool Session::awaiting_pubrel(std::uint16_t packet_id) const {
  return std::find(awaiting_pubrel_.begin(), awaiting_pubrel_.end(), packet_id) != awaiting_pubrel_.end();
}

void Session::add_awaiting_pubrel(std::uint16_t packet_id) {
  if (!awaiting_pubrel(packet_id)) awaiting_pubrel_.push_back(packet_id);
}

bool Session::remove_awaiting_pubrel(std::uint16_t packet_id) {
  auto it = std::find(awaiting_pubrel_.begin(), awaiting_pubrel_.end(), packet_id);
  if (it == awaiting_pubrel_.end()) return false;
  *it = awaiting_pubrel_.back();
  awaiting_pubrel_.pop_back();
  if (awaiting_pubrel_.empty()) awaiting_pubrel_.shrink_to_fit();
  return true;
}

}  // namespace millet::mqtt
