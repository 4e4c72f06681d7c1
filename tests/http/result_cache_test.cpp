// The cache of finished results' bodies: lookups per encoding, its byte bound, LRU order, forget.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "http/result_cache.hpp"

using ide::http::CachedBody;
using ide::http::ResultCache;

namespace {
CachedBody body_of(std::size_t bytes, char fill = 'x') {
  return {std::make_shared<const std::string>(bytes, fill), "\"tag\""};
}
}  // namespace

TEST_CASE("result cache keeps each encoding apart", "[http][result_cache]") {
  ResultCache cache(1000);
  cache.put("a", false, body_of(10, 't'), cache.generation());
  REQUIRE(cache.find("a", false));
  CHECK(*cache.find("a", false)->body == std::string(10, 't'));
  CHECK_FALSE(cache.find("a", true));
  cache.put("a", true, body_of(20, 'b'), cache.generation());
  CHECK(*cache.find("a", true)->body == std::string(20, 'b'));
  CHECK(cache.bytes() == 30);
}

TEST_CASE("result cache stays within its byte bound, dropping the least recently used",
          "[http][result_cache]") {
  ResultCache cache(100);
  cache.put("a", false, body_of(40), cache.generation());
  cache.put("b", false, body_of(40), cache.generation());
  REQUIRE(cache.find("a", false));  // a is now more recent than b
  cache.put("c", false, body_of(40), cache.generation());
  CHECK(cache.bytes() <= 100);
  CHECK(cache.find("a", false));
  CHECK_FALSE(cache.find("b", false));
  CHECK(cache.find("c", false));
  cache.put("big", false, body_of(101), cache.generation());
  CHECK_FALSE(cache.find("big", false));
  CHECK(cache.bytes() == 80);
}

TEST_CASE("result cache forgets both encodings of purged ids", "[http][result_cache]") {
  ResultCache cache(1000);
  cache.put("a", false, body_of(10), cache.generation());
  cache.put("a", true, body_of(10), cache.generation());
  cache.put("b", false, body_of(10), cache.generation());
  cache.forget({"a"});
  CHECK_FALSE(cache.find("a", false));
  CHECK_FALSE(cache.find("a", true));
  CHECK(cache.find("b", false));
  CHECK(cache.bytes() == 10);
}

TEST_CASE("a result cache of 0 bytes keeps nothing", "[http][result_cache]") {
  ResultCache cache(0);
  cache.put("a", false, body_of(1), cache.generation());
  CHECK_FALSE(cache.find("a", false));
  CHECK(cache.bytes() == 0);
}

TEST_CASE("result cache refuses a body fetched before a forget", "[http][result_cache]") {
  ResultCache cache(1000);
  const std::uint64_t before_fetch = cache.generation();
  cache.forget({"a"});  // the purge ran while "a" was being read and encoded
  CHECK_FALSE(cache.put("a", false, body_of(10), before_fetch));
  CHECK_FALSE(cache.find("a", false));
  CHECK(cache.put("a", false, body_of(10), cache.generation()));
}
