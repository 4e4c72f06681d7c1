// The fuzzer's seed corpus replayed through the same harness on every build: each seed file is
// named "<statuses>_<what>", the answers it must get in order ("none" when the server answers
// nothing), e.g. "202-200_submit_then_get". So the corpus documents the request path, the
// harness's rules are checked on it without libFuzzer, and a seed that stops reaching its branch
// is noticed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "request_harness.hpp"

namespace {

std::vector<unsigned> expected_statuses(const std::string& name) {
  std::vector<unsigned> statuses;
  const std::string prefix = name.substr(0, name.find('_'));
  if (prefix == "none") return statuses;
  std::istringstream parts(prefix);
  std::string part;
  while (std::getline(parts, part, '-'))
    statuses.push_back(static_cast<unsigned>(std::stoul(part)));
  return statuses;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("every seed of the request corpus gets the answers its name promises", "[fuzz]") {
  std::vector<std::filesystem::path> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(IDE_FUZZ_CORPUS_DIR)) {
    if (entry.is_regular_file()) seeds.push_back(entry.path());
  }
  std::sort(seeds.begin(), seeds.end());
  // The issue asks for a small corpus covering each route and each kind of bad input.
  CHECK(seeds.size() >= 15);
  CHECK(seeds.size() <= 40);
  for (const auto& seed : seeds) {
    const std::string name = seed.filename().string();
    INFO("seed " << name);
    const std::string bytes = read_file(seed);
    REQUIRE(!bytes.empty());
    CHECK(bytes.size() <= 2 * ide::test::kFuzzMaxBodyBytes);
    CHECK(ide::test::run_request_bytes(bytes) == expected_statuses(name));
  }
}

TEST_CASE("a request cut short gets no answer and a request past the limits gets 413 or 431",
          "[fuzz]") {
  const std::string body = R"json({"language":"python","code":"print(1)"})json";
  const std::string submit =
      "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  REQUIRE(ide::test::run_request_bytes(submit) == std::vector<unsigned>{202});
  for (std::size_t cut = 1; cut < submit.size(); cut += 7) {
    INFO("cut at " << cut);
    CHECK(ide::test::run_request_bytes(submit.substr(0, cut)).empty());
  }
  const std::string big_body(ide::test::kFuzzMaxBodyBytes + 1, 'x');
  CHECK(ide::test::run_request_bytes("POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n"
                                     "Content-Length: " +
                                     std::to_string(big_body.size()) + "\r\n\r\n" + big_body) ==
        std::vector<unsigned>{413});
  const std::string big_header(ide::test::kFuzzMaxHeaderBytes, 'h');
  CHECK(ide::test::run_request_bytes("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + big_header +
                                     "\r\n\r\n") == std::vector<unsigned>{431});
}
