#pragma once

#include <string_view>

namespace millet::mqtt {

// True if `text` is a valid MQTT UTF-8 string (MQTT 5.0 section 1.5.4, 3.1.1
// section 1.5.3): well-formed UTF-8, no surrogate code points, no U+0000.
bool is_valid_mqtt_utf8(std::string_view text);

}  // namespace millet::mqtt
