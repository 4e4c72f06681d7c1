// The command-line client: ide submit, result, share, show, languages, problem create|list and
// token create|list|revoke, talking to a server over its HTTP API.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ide::app {

/// Exit codes of the client commands (also in `ide --help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitVerdict = 1;   // the program ran but its verdict is not ok
inline constexpr int kExitFailure = 2;   // the request failed: bad input, server error, no server
inline constexpr int kExitNotReady = 3;  // `ide result` without --wait: not finished yet

/// Registers the client subcommands on `app`; after app.parse(), run_client() runs the one
/// given, if any.
class ClientCommands {
 public:
  explicit ClientCommands(CLI::App& app);

  /// The exit code of the command given on the command line; -1 when none of these was given.
  int run();

 private:
  int submit();
  int result();
  int share();
  int show();
  int languages();
  int problem_create();
  int problem_list();
  int token_create();
  int token_list();
  int token_revoke();
  void add_token_commands(CLI::App& app);

  CLI::App* submit_ = nullptr;
  CLI::App* result_ = nullptr;
  CLI::App* share_ = nullptr;
  CLI::App* show_ = nullptr;
  CLI::App* languages_ = nullptr;
  CLI::App* problem_create_ = nullptr;
  CLI::App* problem_list_ = nullptr;
  CLI::App* token_create_ = nullptr;
  CLI::App* token_list_ = nullptr;
  CLI::App* token_revoke_ = nullptr;

  std::string server_ = "http://127.0.0.1:8080";
  bool json_ = false;
  bool wait_ = false;
  std::string file_;
  std::string language_;
  std::string stdin_file_;
  std::string id_;
  std::string slug_or_url_;
  std::string problem_id_;
  std::string token_;
  long long cpu_ms_ = -1;
  long long wall_ms_ = -1;
  long long memory_kb_ = -1;
  std::string class_name_;
  std::string expires_;
  long long quota_per_hour_ = -1;
  long long max_queued_ = -1;
};

}  // namespace ide::app
