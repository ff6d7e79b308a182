#pragma once
// The assistant's optional fallback (docs/assistant.md, "The fallback"): an
// OpenAI-compatible chat server the person runs (llama.cpp's server, vLLM,
// Ollama, ...), asked to rewrite a sentence the grammar did not understand as a
// plain command. What it answers is only text: the grammar reads it, the spec
// and the hub check it, as they check every sentence.

#include <string>

#include "assistant/service.h"

namespace millet::app {

struct FallbackOptions {
  std::string url;      // the server's base URL ("http://127.0.0.1:8000/v1") or its /chat/completions
  std::string model;    // empty: the server's default
  std::string api_key;  // empty: none sent
};

// Requests go one at a time from a thread of their own, each given 10 s; at most 100 wait.
assistant::Rewriter make_fallback(FallbackOptions options);

}  // namespace millet::app
