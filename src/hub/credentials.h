#pragma once
// Secrets and how millet keeps them (docs/storage.md, "Registry"):
// - people's passwords: argon2id (libsodium's crypto_pwhash_str), slow on
//   purpose, because people choose guessable passwords;
// - device secrets and API tokens: 256 random bits made here, kept as their
//   BLAKE2b-256 hash. Nothing can guess them, so a fast hash is as safe and
//   lets a node check thousands of reconnecting devices a second.
// Plain secrets are returned once, when made, and never stored.

#include <string>
#include <string_view>

#include "base/expected.h"

namespace millet::hub {

class PasswordHasher {
 public:
  // kInteractive is libsodium's interactive cost (64 MiB, about 0.1 s); tests
  // use kFast to keep many users cheap.
  enum class Cost { kInteractive, kFast };
  explicit PasswordHasher(Cost cost = Cost::kInteractive) : cost_(cost) {}

  // The encoded hash ("$argon2id$v=19$m=...") or why it could not be made.
  Expected<std::string, std::string> hash(std::string_view password) const;
  bool verify(std::string_view encoded_hash, std::string_view password) const;

 private:
  Cost cost_;
};

// 256 random bits as 43 URL-safe characters.
std::string random_secret();
// The hash kept for a secret: 64 hex digits of BLAKE2b-256.
std::string hash_secret(std::string_view secret);
// Whether `secret` hashes to `stored_hash`, in constant time.
bool secret_matches(std::string_view stored_hash, std::string_view secret);
// A new identifier: `prefix` and 12 random characters of [a-z0-9], e.g. "d-3kq9z0m2x7ab".
std::string random_id(std::string_view prefix);
// The same shape for ids that must be unique but need not be secret (a command's request id):
// from a generator per thread, seeded from the operating system once, so no system call per id.
std::string unique_id(std::string_view prefix);

}  // namespace millet::hub
