// What the load generator sends and what it expects back: the seed workload's program and
// inputs, and the check of a finished result against the expected output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ide::bench {

/// The expected stdout of a run, as its size and a hash (holding 1.5 MB per submission would
/// double the client's memory for nothing).
struct Expected {
  std::size_t size = 0;
  std::uint64_t hash = 0;
};

Expected expect(std::string_view output);

/// The seed program: Python that writes the swapped-case of its stdin (same size), padded with
/// comment lines to exactly `bytes` (at least its own size).
std::string seed_program(std::size_t bytes);

/// Text-like stdin of exactly `bytes`: lines of words from a fixed vocabulary and numbers, a
/// different text for each `seed`. Compressible like real input, unlike random bytes, and not
/// one repeated line either (storage compression is measured against it).
std::string seed_input(std::size_t bytes, std::uint64_t seed);

/// What the seed program prints for `input`: ASCII letters swapped, like bytes.swapcase().
std::string swapcase(std::string_view input);

/// The JSON body of POST /api/v1/submissions.
std::string submission_body(std::string_view language, std::string_view code,
                            std::string_view stdin_data);

/// The id of a 202 answer to a submit, or nothing.
std::optional<std::string> submitted_id(std::string_view body);

/// A result answer checked against what was expected.
struct Check {
  bool finished = false;       // status "done"; otherwise queued or running
  std::string error;           // empty when finished with verdict ok and the right stdout
  double turnaround_ms = -1;   // finished_at - created_at, by the server's clock
};

Check check_result(std::string_view body, const Expected& expected);

/// A finished hello-world-like answer: verdict ok and stdout exactly `stdout_text` (if given).
Check check_output(std::string_view body, const std::optional<std::string>& stdout_text);

}  // namespace ide::bench
