// JSON helpers: parse errors name the problem, typed fields name the field, lossy strings.
#include "core/json.hpp"

#include <catch2/catch.hpp>

using namespace ide::core;

TEST_CASE("parse_object rejects non-JSON, non-objects and invalid UTF-8", "[core][json]") {
  CHECK(json::parse_object("{\"a\":1}").has_value());
  auto bad = json::parse_object("{");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  auto array = json::parse_object("[1]");
  REQUIRE_FALSE(array.has_value());
  CHECK_THAT(array.error().message, Catch::Contains("object"));
  CHECK_FALSE(json::parse_object("{\"a\":\"\xff\"}").has_value());
}

TEST_CASE("typed field access names the field", "[core][json]") {
  auto object = *json::parse_object(R"({"s":"x","n":5,"wrong":5,"nul":null})");
  CHECK(*json::required_string(object, "s") == "x");
  auto missing = json::required_string(object, "code");
  REQUIRE_FALSE(missing.has_value());
  CHECK_THAT(missing.error().message, Catch::Contains("'code'"));
  auto wrong = json::required_string(object, "wrong");
  REQUIRE_FALSE(wrong.has_value());
  CHECK_THAT(wrong.error().message, Catch::Contains("'wrong'") && Catch::Contains("integer"));
  CHECK_FALSE(json::optional_string(object, "absent")->has_value());
  CHECK_FALSE(json::optional_string(object, "nul")->has_value());
  CHECK(**json::optional_int(object, "n") == 5);
  CHECK_FALSE(json::optional_int(object, "s").has_value());
}

TEST_CASE("NUL escapes decode byte-exact", "[core][json]") {
  auto object = *json::parse_object(R"({"code":"a\u0000b"})");
  CHECK(*json::required_string(object, "code") == std::string("a\0b", 3));
}

TEST_CASE("lossy strings keep valid UTF-8 and replace the rest", "[core][json]") {
  CHECK(json::to_json_string_lossy("h\xc3\xa9llo") == "h\xc3\xa9llo");
  CHECK(json::to_json_string_lossy("a\xff" "b") == "a\xef\xbf\xbd" "b");
  CHECK(json::to_json_string_lossy("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(json::is_valid_utf8("\xf0\x9f\x98\x80"));
  CHECK_FALSE(json::is_valid_utf8("\xc0\xaf"));
}

TEST_CASE("byte strings cross byte-exact, as text when they can", "[core][json]") {
  const std::string binary("\xff\x00\x01zz", 5);
  CHECK(ide::core::json::bytes_to_json("héllo\n").is_string());
  CHECK(ide::core::json::bytes_to_json(binary).is_object());
  for (const std::string& bytes : {std::string(), std::string("héllo\0\n", 8), binary}) {
    CHECK(ide::core::json::bytes_from_json(ide::core::json::bytes_to_json(bytes)) == bytes);
  }
  CHECK_THROWS(ide::core::json::bytes_from_json(boost::json::object{{"base64", "!!"}}));
}
