// Ids: 128 random bits, URL-safe, well-formedness check; base64url against RFC 4648 vectors.
#include "core/ids.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace ide::core;

TEST_CASE("random ids are 22 URL-safe characters and do not repeat", "[core][ids]") {
  RandomIdGenerator ids;
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) {
    const std::string id = ids.new_id();
    CHECK(id.size() == kIdLength);
    CHECK(is_well_formed_id(id));
    CHECK(id.front() != '-');  // else `ide result ID` takes it for an option
    seen.insert(id);
  }
  CHECK(seen.size() == 10'000);
}

TEST_CASE("malformed ids are recognised", "[core][ids]") {
  CHECK_FALSE(is_well_formed_id(""));
  CHECK_FALSE(is_well_formed_id("short"));
  CHECK_FALSE(is_well_formed_id("aaaaaaaaaaaaaaaaaaaaa/"));
  CHECK_FALSE(is_well_formed_id("aaaaaaaaaaaaaaaaaaaaaaa"));
  CHECK(is_well_formed_id("AAAAAAAAAAAAAAAAAAAA-_"));
}

TEST_CASE("base64url matches RFC 4648 without padding", "[core][ids]") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("\xfb\xff") == "-_8");
}

TEST_CASE("same_secret compares whole secrets and matches nothing against an empty one",
          "[core][ids]") {
  CHECK(ide::core::same_secret("s3cret", "s3cret"));
  CHECK_FALSE(ide::core::same_secret("s3creT", "s3cret"));
  CHECK_FALSE(ide::core::same_secret("s3cre", "s3cret"));
  CHECK_FALSE(ide::core::same_secret("s3crets", "s3cret"));
  CHECK_FALSE(ide::core::same_secret("", "s3cret"));
  CHECK_FALSE(ide::core::same_secret("", ""));
  CHECK_FALSE(ide::core::same_secret("anything", ""));
}
