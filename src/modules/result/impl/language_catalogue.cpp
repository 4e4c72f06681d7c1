#include "language_catalogue.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "child_process.hpp"

namespace ide::result {

namespace {

namespace json = boost::json;

core::Unexpected bad(std::size_t index, std::string_view id, std::string_view problem) {
  const std::string who = id.empty() ? fmt::format("entry {}", index) : fmt::format("'{}'", id);
  return core::fail(core::ErrorCode::invalid_argument,
                    fmt::format("languages: {}: {}", who, problem));
}

bool is_plain_file_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

/// 1 to 32 of [a-z0-9] and `punctuation`.
bool is_name(std::string_view name, std::string_view punctuation) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           punctuation.find(c) != std::string_view::npos;
  });
}

bool is_valid_id(std::string_view id) { return is_name(id, "_-+"); }

/// A program as written in the catalogue: absolute, or "./name" for a file the compile stage made
/// (the sandbox runs stages in the work dir).
bool is_valid_program(std::string_view program, bool may_be_in_work_dir) {
  if (!program.empty() && program[0] == '/') return true;
  return may_be_in_work_dir && program.substr(0, 2) == "./" &&
         is_plain_file_name(program.substr(2));
}

core::Result<std::vector<std::string>> argv_field(const json::object& entry, std::string_view key,
                                                  std::size_t index, std::string_view id,
                                                  bool optional, bool may_be_in_work_dir) {
  const json::value* value = entry.if_contains(key);
  if (value == nullptr || value->is_null()) {
    if (optional) return std::vector<std::string>{};
    return bad(index, id, fmt::format("'{}' is required", key));
  }
  if (!value->is_array() || value->as_array().empty()) {
    return bad(index, id, fmt::format("'{}' must be a non-empty array of strings", key));
  }
  std::vector<std::string> argv;
  for (const json::value& item : value->as_array()) {
    if (!item.is_string()) {
      return bad(index, id, fmt::format("'{}' must be a non-empty array of strings", key));
    }
    argv.emplace_back(item.as_string());
  }
  if (!is_valid_program(argv[0], may_be_in_work_dir)) {
    return bad(index, id, fmt::format("'{}' must start with an absolute path", key));
  }
  return argv;
}

core::Result<std::string> string_field(const json::object& entry, std::string_view key,
                                       std::size_t index, std::string_view id) {
  const json::value* value = entry.if_contains(key);
  if (value == nullptr || !value->is_string() || value->as_string().empty()) {
    return bad(index, id, fmt::format("'{}' must be a non-empty string", key));
  }
  return std::string(value->as_string());
}

/// Optional: an array of at most `max_items` strings, each `valid`; `rule` says what they are.
core::Result<std::vector<std::string>> list_field(const json::object& entry, std::string_view key,
                                                  std::size_t index, std::string_view id,
                                                  std::size_t max_items,
                                                  bool (*valid)(std::string_view),
                                                  std::string_view rule) {
  const json::value* value = entry.if_contains(key);
  if (value == nullptr || value->is_null()) return std::vector<std::string>{};
  const auto problem = fmt::format("'{}' must be an array of at most {} {}", key, max_items, rule);
  if (!value->is_array() || value->as_array().size() > max_items) return bad(index, id, problem);
  std::vector<std::string> items;
  for (const json::value& item : value->as_array()) {
    if (!item.is_string() || !valid(item.as_string())) return bad(index, id, problem);
    items.emplace_back(item.as_string());
  }
  return items;
}

bool is_marker(std::string_view marker) { return !marker.empty() && marker.size() <= 200; }

/// Another name of a language, as Piston's aliases are ("c#"): an id that may hold '#' and '.'.
bool is_alias(std::string_view alias) { return is_name(alias, "_-+#."); }

/// The names other APIs know the language by: "aliases", "judge0_id", "piston_runtime".
core::Result<void> parse_foreign_names(const json::object& entry, std::size_t index,
                                       LanguageSpec& spec) {
  auto aliases = list_field(entry, "aliases", index, spec.id, 8, is_alias,
                            "names of [a-z0-9_+#.-], at most 32 long");
  if (!aliases) return core::Unexpected(aliases.error());
  spec.aliases = std::move(*aliases);
  if (const json::value* id = entry.if_contains("judge0_id"); id != nullptr && !id->is_null()) {
    if (!id->is_int64() || id->as_int64() < 1 || id->as_int64() > 9999) {
      return bad(index, spec.id, "'judge0_id' must be an integer from 1 to 9999");
    }
    spec.judge0_id = static_cast<int>(id->as_int64());
  }
  if (const json::value* runtime = entry.if_contains("piston_runtime");
      runtime != nullptr && !runtime->is_null()) {
    if (!runtime->is_string() || !is_valid_id(runtime->as_string())) {
      return bad(index, spec.id, "'piston_runtime' must be a name of [a-z0-9_+-]");
    }
    spec.piston_runtime = std::string(runtime->as_string());
  }
  return {};
}

core::Result<LanguageSpec> parse_entry(const json::value& value, std::size_t index) {
  if (!value.is_object()) return bad(index, "", "must be an object");
  const json::object& entry = value.as_object();
  static const std::set<std::string, std::less<>> kKnown = {"id",
                                                            "name",
                                                            "source",
                                                            "compile",
                                                            "run",
                                                            "version",
                                                            "env",
                                                            "limit_address_space",
                                                            "out_of_memory_markers",
                                                            "aliases",
                                                            "judge0_id",
                                                            "piston_runtime"};
  for (const auto& field : entry) {
    if (kKnown.count(field.key()) == 0) {
      return bad(index, "", fmt::format("unknown field '{}'", std::string_view(field.key())));
    }
  }
  LanguageSpec spec;
  auto id = string_field(entry, "id", index, "");
  if (!id) return core::Unexpected(id.error());
  spec.id = *id;
  if (!is_valid_id(spec.id)) return bad(index, "", "'id' must be [a-z0-9_+-], at most 32 long");
  auto name = string_field(entry, "name", index, spec.id);
  if (!name) return core::Unexpected(name.error());
  spec.name = *name;
  auto source = string_field(entry, "source", index, spec.id);
  if (!source) return core::Unexpected(source.error());
  spec.source = *source;
  if (!is_plain_file_name(spec.source)) return bad(index, spec.id, "'source' must be a file name");

  auto compile = argv_field(entry, "compile", index, spec.id, true, false);
  if (!compile) return core::Unexpected(compile.error());
  spec.compile = std::move(*compile);
  auto run = argv_field(entry, "run", index, spec.id, false, true);
  if (!run) return core::Unexpected(run.error());
  spec.run = std::move(*run);
  auto version = argv_field(entry, "version", index, spec.id, false, false);
  if (!version) return core::Unexpected(version.error());
  spec.version_command = std::move(*version);

  if (const json::value* env = entry.if_contains("env"); env != nullptr && !env->is_null()) {
    if (!env->is_object()) return bad(index, spec.id, "'env' must be an object of strings");
    for (const auto& [key, item] : env->as_object()) {
      if (!item.is_string() || key.empty() || key.find('=') != json::string_view::npos) {
        return bad(index, spec.id, "'env' must map names (without '=') to strings");
      }
      spec.env.push_back(
          fmt::format("{}={}", std::string_view(key), std::string_view(item.as_string())));
    }
  }
  if (const json::value* limit = entry.if_contains("limit_address_space"); limit != nullptr) {
    if (!limit->is_bool()) return bad(index, spec.id, "'limit_address_space' must be a boolean");
    spec.limit_address_space = limit->as_bool();
  }
  auto markers = list_field(entry, "out_of_memory_markers", index, spec.id, 16, is_marker,
                            "non-empty strings of at most 200 bytes");
  if (!markers) return core::Unexpected(markers.error());
  spec.out_of_memory_markers = std::move(*markers);
  if (auto named = parse_foreign_names(entry, index, spec); !named) {
    return core::Unexpected(named.error());
  }
  return spec;
}

}  // namespace

core::Result<std::vector<LanguageSpec>> parse_catalogue(std::string_view json_text) {
  boost::system::error_code ec;
  const json::value root = json::parse(json_text, ec);
  if (ec) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("languages: not valid JSON: {}", ec.message()));
  }
  if (!root.is_array()) {
    return core::fail(core::ErrorCode::invalid_argument, "languages: must be a JSON array");
  }
  std::vector<LanguageSpec> specs;
  std::set<std::string, std::less<>> names;  // ids and aliases: each names one language
  std::set<int> judge0_ids;
  for (std::size_t i = 0; i < root.as_array().size(); ++i) {
    auto spec = parse_entry(root.as_array()[i], i);
    if (!spec) return core::Unexpected(spec.error());
    if (!names.insert(spec->id).second) {
      return bad(i, spec->id, "the id appears twice, as an id or an alias");
    }
    for (const std::string& alias : spec->aliases) {
      if (!names.insert(alias).second) {
        return bad(i, spec->id,
                   fmt::format("the alias '{}' appears twice, as an id or an alias", alias));
      }
    }
    if (spec->judge0_id && !judge0_ids.insert(*spec->judge0_id).second) {
      return bad(i, spec->id, "its judge0_id appears twice");
    }
    specs.push_back(std::move(*spec));
  }
  return specs;
}

core::Result<std::vector<LanguageSpec>> load_catalogue(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return core::fail(core::ErrorCode::not_found,
                      fmt::format("cannot read the language catalogue {}", file.string()));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto specs = parse_catalogue(buffer.str());
  if (!specs) {
    return core::fail(specs.error().code,
                      fmt::format("{}: {}", file.string(), specs.error().message));
  }
  return specs;
}

std::string parse_version(std::string_view output) {
  static const std::regex kVersion(R"(\d+(\.\d+)+)");
  std::match_results<std::string_view::const_iterator> match;
  if (std::regex_search(output.begin(), output.end(), match, kVersion)) return match.str();
  return "";
}

std::vector<std::string> program_environment(const LanguageSpec& spec) {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8"};
  for (const std::string& extra : spec.env) {
    const std::string_view name = std::string_view(extra).substr(0, extra.find('=') + 1);
    auto same = std::find_if(env.begin(), env.end(),
                             [&](const std::string& e) { return e.starts_with(name); });
    if (same != env.end()) {
      *same = extra;
    } else {
      env.push_back(extra);
    }
  }
  return env;
}

ProbedLanguage probe_language(const LanguageSpec& spec, std::chrono::milliseconds timeout) {
  ProbedLanguage probed;
  probed.spec = spec;
  for (const auto* argv : {&spec.compile, &spec.run}) {
    if (!argv->empty() && (*argv)[0][0] == '/' && ::access((*argv)[0].c_str(), X_OK) != 0) {
      probed.problem = fmt::format("{} is missing", (*argv)[0]);
      return probed;
    }
  }
  auto outcome = run_child(spec.version_command, program_environment(spec), timeout);
  if (!outcome) {
    probed.problem = outcome.error().message;
    return probed;
  }
  if (outcome->timed_out) {
    probed.problem = fmt::format("{} did not answer in time", spec.version_command[0]);
    return probed;
  }
  probed.version = parse_version(outcome->output);
  if (!outcome->exited || (outcome->exit_code != 0 && probed.version.empty())) {
    probed.problem = fmt::format("{} failed", fmt::join(spec.version_command, " "));
    return probed;
  }
  if (probed.version.empty()) probed.version = "unknown";
  probed.installed = true;
  return probed;
}

LanguageCatalogue LanguageCatalogue::probe(const std::vector<LanguageSpec>& specs,
                                           std::chrono::milliseconds timeout) {
  std::vector<std::future<ProbedLanguage>> pending;
  pending.reserve(specs.size());
  for (const LanguageSpec& spec : specs) {
    pending.push_back(
        std::async(std::launch::async, [&spec, timeout] { return probe_language(spec, timeout); }));
  }
  std::vector<ProbedLanguage> entries;
  entries.reserve(specs.size());
  for (auto& future : pending) entries.push_back(future.get());
  return LanguageCatalogue(std::move(entries));
}

const LanguageSpec* LanguageCatalogue::find(std::string_view id) const {
  for (const ProbedLanguage& entry : entries_) {
    if (entry.installed && entry.spec.id == id) return &entry.spec;
  }
  return nullptr;
}

std::vector<Language> LanguageCatalogue::served() const {
  std::vector<Language> languages;
  for (const ProbedLanguage& entry : entries_) {
    if (!entry.installed) continue;
    languages.push_back({.id = entry.spec.id,
                         .name = entry.spec.name,
                         .version = entry.version,
                         .aliases = entry.spec.aliases,
                         .judge0_id = entry.spec.judge0_id,
                         .piston_runtime = entry.spec.piston_runtime,
                         .compiled = !entry.spec.compile.empty()});
  }
  return languages;
}

}  // namespace ide::result
