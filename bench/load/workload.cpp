#include "workload.hpp"

#include <ctime>
#include <vector>

#include <boost/json.hpp>
#include <fmt/core.h>

namespace ide::bench {

namespace json = boost::json;

namespace {

// splitmix64: fast, and the same text for the same seed on every machine.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

// 4096 made-up words of 2-4 syllables, some capitalised, built once from a fixed seed.
const std::vector<std::string>& vocabulary() {
  static const std::vector<std::string> words = [] {
    static constexpr const char* syllables[] = {
        "ka", "lo", "mer", "ti", "van", "su", "dor", "el", "pra", "qui", "ron", "ba",
        "ne", "sto", "fi", "gal", "hu", "jen", "wor", "ex", "zu", "cy", "ment", "ing"};
    Random random{42};
    std::vector<std::string> list;
    for (int i = 0; i < 4096; ++i) {
      std::string word;
      const std::size_t count = 2 + random.below(3);
      for (std::size_t s = 0; s < count; ++s) word += syllables[random.below(std::size(syllables))];
      if (random.below(5) == 0) word[0] = static_cast<char>(word[0] - 'a' + 'A');
      list.push_back(std::move(word));
    }
    return list;
  }();
  return words;
}

std::uint64_t hash_bytes(std::string_view bytes) {
  std::uint64_t hash = 0xCBF29CE484222325ULL ^ bytes.size();
  for (unsigned char c : bytes) hash = (hash ^ c) * 0x100000001B3ULL;
  return hash;
}

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// "2026-12-02T21:04:05.123Z" -> ms since the epoch.
std::optional<double> parse_time_ms(const json::value* value) {
  if (value == nullptr || !value->is_string()) return std::nullopt;
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(value->as_string().c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) * 1000.0 + ms;
}

struct Done {
  Check check;
  std::string stdout_bytes;
};

// Parses a result answer: unfinished, an error, or a finished run with its decoded stdout.
Done parse_done(std::string_view body) {
  Done done;
  boost::system::error_code error;
  json::value parsed = json::parse(body, error);
  if (error || !parsed.is_object()) {
    done.check.error = "answer not JSON";
    return done;
  }
  const json::object& result = parsed.as_object();
  const json::value* status = result.if_contains("status");
  if (status == nullptr || !status->is_string() || status->as_string() != "done") return done;
  done.check.finished = true;
  const json::value* verdict = result.if_contains("verdict");
  if (verdict == nullptr || !verdict->is_string() || verdict->as_string() != "ok") {
    done.check.error = verdict != nullptr && verdict->is_string()
                           ? fmt::format("verdict {}", std::string_view(verdict->as_string()))
                           : "no verdict";
    return done;
  }
  const json::value* out = result.if_contains("stdout");
  const json::value* encoding = result.if_contains("encoding");
  if (out == nullptr || !out->is_string()) {
    done.check.error = "no stdout";
    return done;
  }
  if (encoding != nullptr && encoding->is_string() && encoding->as_string() == "base64") {
    auto decoded = base64_decode(out->as_string());
    if (!decoded) {
      done.check.error = "bad base64";
      return done;
    }
    done.stdout_bytes = std::move(*decoded);
  } else {
    done.stdout_bytes = std::string(out->as_string());
  }
  auto created = parse_time_ms(result.if_contains("created_at"));
  auto finished = parse_time_ms(result.if_contains("finished_at"));
  if (created && finished) done.check.turnaround_ms = *finished - *created;
  return done;
}

}  // namespace

Expected expect(std::string_view output) { return {output.size(), hash_bytes(output)}; }

std::string seed_program(std::size_t bytes) {
  std::string program =
      "# The seed workload: write the swapped case of stdin, as many bytes as came in.\n"
      "import sys\n"
      "sys.stdout.buffer.write(sys.stdin.buffer.read().swapcase())\n";
  for (int line = 0; program.size() < bytes; ++line) {
    std::string comment = fmt::format("# padding {:06} to the seed's program size ....\n", line);
    const std::size_t room = bytes - program.size();
    if (comment.size() > room) comment = room > 1 ? "#" + std::string(room - 2, '.') + "\n" : "\n";
    program += comment;
  }
  return program;
}

std::string seed_input(std::size_t bytes, std::uint64_t seed) {
  const auto& words = vocabulary();
  Random random{seed * 0x2545F4914F6CDD1DULL + 7};
  std::string text;
  text.reserve(bytes + 128);
  while (text.size() < bytes) {
    const std::size_t fields = 4 + random.below(10);
    for (std::size_t f = 0; f < fields; ++f) {
      if (f > 0) text += ' ';
      switch (random.below(6)) {
        case 0: text += std::to_string(random.below(100000)); break;
        case 1: text += fmt::format("{}.{:02}", random.below(1000), random.below(100)); break;
        default: text += words[random.below(words.size())];
      }
    }
    text += '\n';
  }
  text.resize(bytes);
  if (!text.empty()) text.back() = '\n';
  return text;
}

std::string swapcase(std::string_view input) {
  std::string out(input);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    else if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string submission_body(std::string_view language, std::string_view code,
                            std::string_view stdin_data) {
  json::object body;
  body["language"] = language;
  body["code"] = code;
  body["stdin"] = stdin_data;
  return json::serialize(body);
}

std::optional<std::string> submitted_id(std::string_view body) {
  boost::system::error_code error;
  json::value parsed = json::parse(body, error);
  if (error || !parsed.is_object()) return std::nullopt;
  const json::value* id = parsed.as_object().if_contains("id");
  if (id == nullptr || !id->is_string()) return std::nullopt;
  return std::string(id->as_string());
}

Check check_result(std::string_view body, const Expected& expected) {
  Done done = parse_done(body);
  if (done.check.finished && done.check.error.empty()) {
    const Expected got = expect(done.stdout_bytes);
    if (got.size != expected.size || got.hash != expected.hash) done.check.error = "wrong output";
  }
  return done.check;
}

Check check_output(std::string_view body, const std::optional<std::string>& stdout_text) {
  Done done = parse_done(body);
  if (done.check.finished && done.check.error.empty() && stdout_text &&
      done.stdout_bytes != *stdout_text) {
    done.check.error = "wrong output";
  }
  return done.check;
}

}  // namespace ide::bench
