// The language catalogue (config/languages.json, SPEC section 5): how each language is compiled,
// run and probed, and which of them this host actually has.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "result/result_service.hpp"

namespace ide::result {

/// One catalogue entry as written in languages.json.
struct LanguageSpec {
  std::string id;                    // "python"
  std::string name;                  // "Python"
  std::string source;                // file the code is written to, e.g. "main.py"
  std::vector<std::string> compile;  // empty: nothing to compile
  std::vector<std::string> run;
  std::vector<std::string> version_command;
  std::vector<std::string> env;     // extra "KEY=value" for its programs
  bool limit_address_space = true;  // false for runtimes reserving huge virtual memory
  // What the runtime prints on stderr when an allocation is refused ("MemoryError"): a failed
  // run carrying one is memory_limit_exceeded.
  std::vector<std::string> out_of_memory_markers;
  // Other APIs' names for it (Language): unique among all ids and aliases, and judge0 ids.
  std::vector<std::string> aliases;
  std::optional<int> judge0_id;
  std::string piston_runtime;
};

/// An entry after probing the host.
struct ProbedLanguage {
  LanguageSpec spec;
  bool installed = false;
  std::string version;  // parsed from the version command's output, "unknown" if none
  std::string problem;  // why it is not installed
};

/// Parses the catalogue. Errors: invalid_argument naming the entry and the field.
core::Result<std::vector<LanguageSpec>> parse_catalogue(std::string_view json_text);
/// Reads and parses `file`. Errors: invalid_argument, or not_found when it cannot be read.
core::Result<std::vector<LanguageSpec>> load_catalogue(const std::filesystem::path& file);

/// The first dotted version number in `output` ("v20.1.0" -> "20.1.0"), or "" if none.
std::string parse_version(std::string_view output);

/// The whole environment a language's programs (and its version probe) see.
std::vector<std::string> program_environment(const LanguageSpec& spec);

/// Runs the version command as a plain child process (no sandbox: these are the host's own
/// toolchains) and checks the compile and run programs exist.
ProbedLanguage probe_language(const LanguageSpec& spec, std::chrono::milliseconds timeout);

/// The probed catalogue. Immutable after construction, so thread-safe.
class LanguageCatalogue {
 public:
  LanguageCatalogue() = default;
  explicit LanguageCatalogue(std::vector<ProbedLanguage> entries) : entries_(std::move(entries)) {}

  /// Probes each of `specs` (in parallel: some runtimes take a while to print a version).
  static LanguageCatalogue probe(const std::vector<LanguageSpec>& specs,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Every entry, installed or not, in catalogue order.
  const std::vector<ProbedLanguage>& entries() const { return entries_; }
  /// An installed language, or nullptr.
  const LanguageSpec* find(std::string_view id) const;
  /// The installed languages, in catalogue order.
  std::vector<Language> served() const;

 private:
  std::vector<ProbedLanguage> entries_;
};

}  // namespace ide::result
