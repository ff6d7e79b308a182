#pragma once
// Outgoing webhooks for automations (the `webhook` action): HTTP or HTTPS
// requests sent one at a time from a thread of their own, each given 10 s.

#include "automation/service.h"

namespace millet::app {

// A sender whose thread lives as long as the last copy of it.
automation::WebhookSender make_webhook_sender();

}  // namespace millet::app
