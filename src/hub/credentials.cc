#include "hub/credentials.h"

#include <sodium.h>

#include <array>
#include <mutex>

#include "base/assert.h"

namespace millet::hub {
namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] { MILLET_ASSERT(sodium_init() >= 0, "libsodium could not initialise"); });
}

}  // namespace

Expected<std::string, std::string> PasswordHasher::hash(std::string_view password) const {
  ensure_sodium();
  const bool fast = cost_ == Cost::kFast;
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return unexpected(std::string("out of memory while hashing a password"));
  }
  return std::string(out.data());
}

bool PasswordHasher::verify(std::string_view encoded_hash, std::string_view password) const {
  ensure_sodium();
  const std::string hash(encoded_hash);  // NUL-terminated for libsodium
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string random_secret() {
  ensure_sodium();
  std::array<unsigned char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> text;
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(text.data());
}

std::string hash_secret(std::string_view secret) {
  ensure_sodium();
  std::array<unsigned char, 32> digest;
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     nullptr, 0);
  std::array<char, 65> hex;
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

bool secret_matches(std::string_view stored_hash, std::string_view secret) {
  const std::string computed = hash_secret(secret);
  return stored_hash.size() == computed.size() &&
         sodium_memcmp(stored_hash.data(), computed.data(), computed.size()) == 0;
}

std::string unique_id(std::string_view prefix) {
  thread_local std::uint64_t state = [] {
    ensure_sodium();
    std::uint64_t seed = 0;
    randombytes_buf(&seed, sizeof seed);
    return seed;
  }();
  // splitmix64: each call a well-mixed 64-bit value; 12 base-36 digits take 62 bits of it.
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(prefix);
  for (int i = 0; i < 12; ++i, z /= 36) id += kAlphabet[z % 36];
  return id;
}

std::string random_id(std::string_view prefix) {
  ensure_sodium();
  constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id(prefix);
  for (int i = 0; i < 12; ++i) id += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
  return id;
}

}  // namespace millet::hub
