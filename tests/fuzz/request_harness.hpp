// Raw bytes through the server's request path, without sockets: Beast's parser with the server's
// limits, the server's routing, the real handlers, the real submission module on SQLite (fakes
// for results and urls), and checks on every answer a client would get. Shared by the libFuzzer
// target and the corpus test.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace ide::test {

/// Limits put on the parser: small, so the fuzzer's inputs reach 413 and 431.
inline constexpr std::size_t kFuzzMaxHeaderBytes = 2 * 1024;
inline constexpr std::size_t kFuzzMaxBodyBytes = 4 * 1024;

/// Reads `bytes` as what one client sends on one connection: up to four pipelined requests, each
/// answered in turn, until the input ends or an answer closes the connection. In a later request
/// "@ID@" and "@SLUG@" stand for the last submission id and share slug answered, so an input can
/// reach the stored submission it created. Returns the answers' status codes in order.
/// Aborts, naming the rule, when an answer breaks one of the API's rules (SPEC sections 3, 4): a
/// status outside the expected set, a body that is not the JSON the status promises, a 405
/// without Allow, a 202 whose submission is not stored byte-exact or not handed off.
/// Not thread-safe: the state (a data dir under $IDE_FUZZ_TMPDIR, else /dev/shm when it exists)
/// is per process.
std::vector<unsigned> run_request_bytes(std::string_view bytes);

}  // namespace ide::test
