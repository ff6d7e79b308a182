#include "hub/credentials.h"

#include <gtest/gtest.h>

#include <set>

namespace millet::hub {
namespace {

TEST(Credentials, PasswordsAreKeptWithArgon2idAndVerify) {
  PasswordHasher hasher(PasswordHasher::Cost::kFast);
  auto hash = hasher.hash("correct horse");
  ASSERT_TRUE(hash) << hash.error();
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(hasher.verify(*hash, "correct horse"));
  EXPECT_FALSE(hasher.verify(*hash, "correct horsE"));
  EXPECT_FALSE(hasher.verify("not a hash", "correct horse"));
  EXPECT_NE(*hasher.hash("correct horse"), *hash) << "each hash has its own salt";
}

TEST(Credentials, SecretsAreRandomAndKeptAsTheirHash) {
  std::set<std::string> secrets;
  for (int i = 0; i < 100; ++i) secrets.insert(random_secret());
  EXPECT_EQ(secrets.size(), 100u);
  const std::string secret = *secrets.begin();
  EXPECT_EQ(secret.size(), 43u);
  const std::string hash = hash_secret(secret);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_TRUE(secret_matches(hash, secret));
  EXPECT_FALSE(secret_matches(hash, secret + "x"));
  EXPECT_FALSE(secret_matches(hash, ""));
  EXPECT_FALSE(secret_matches("", secret));
}

TEST(Credentials, IdsHaveTheirPrefixAndDiffer) {
  const std::string a = random_id("d-"), b = random_id("d-");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 14u);
  EXPECT_TRUE(a.starts_with("d-"));
}

}  // namespace
}  // namespace millet::hub
