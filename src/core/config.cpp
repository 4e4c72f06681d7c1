#include "core/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace ide::core {

namespace {

/// "max-queue" -> "IDE_MAX_QUEUE".
std::string env_name(const std::string& flag) {
  std::string env = "IDE_" + flag;
  for (char& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return env;
}

/// One setting: `--name` flag, IDE_NAME variable and `name` key in ide.toml.
template <typename T>
CLI::Option* setting(CLI::App& app, const std::string& name, T& value, const std::string& help) {
  return app.add_option("--" + name, value, help)->envname(env_name(name))->capture_default_str();
}

template <>
CLI::Option* setting<bool>(CLI::App& app, const std::string& name, bool& value,
                           const std::string& help) {
  return app.add_flag("--" + name, value, help)->envname(env_name(name));
}

/// Applies the TOML file's settings to the options that neither a flag nor an IDE_* variable set,
/// so that precedence is flag > environment > file > default. (CLI11's own config support lets
/// the file win over the environment.)
void apply_config_file(CLI::App& app, const std::string& path, bool explicitly_given) {
  if (!std::filesystem::exists(path)) {
    if (explicitly_given) throw CLI::FileError::Missing(path);
    return;
  }
  for (const CLI::ConfigItem& item : CLI::ConfigTOML().from_file(path)) {
    std::string name = item.name;
    for (char& c : name) c = c == '_' ? '-' : c;
    if (!item.parents.empty() || name == "config") {
      throw CLI::ConversionError(fmt::format("{}: unknown setting '{}'", path, item.fullname()));
    }
    CLI::Option* option = app.get_option_no_throw("--" + name);
    if (option == nullptr) {
      throw CLI::ConversionError(fmt::format("{}: unknown setting '{}'", path, item.name));
    }
    if (option->count() > 0) continue;
    // `trusted_proxies = []`: CLI11 refuses an option with no value, and the built-in default
    // of every list setting is the empty list already.
    if (item.inputs.empty()) continue;
    option->add_result(item.inputs);
    option->run_callback();
  }
}

/// The settings of a split deployment (docs/DEPLOYMENT.md 2.2).
void add_split_options(CLI::App& app, Config& config) {
  setting(app, "modules", config.modules,
          "Modules this process hosts, comma-separated: submission, result, url, problem, "
          "access")
      ->delimiter(',');
  setting(app, "submission-service-url", config.submission_service_url,
          "http://host:port of a process hosting submission, when this one does not");
  setting(app, "result-service-url", config.result_service_url,
          "http://host:port of a process hosting result, when this one does not");
  setting(app, "url-service-url", config.url_service_url,
          "http://host:port of a process hosting url, when this one does not");
  setting(app, "problem-service-url", config.problem_service_url,
          "http://host:port of a process hosting problem, when this one does not");
  setting(app, "access-service-url", config.access_service_url,
          "http://host:port of a process hosting access, when this one does not");
  setting(app, "internal-token", config.internal_token,
          "Shared secret of the internal API between split processes (at least 16 characters)");
  setting(app, "internal-timeout-ms", config.internal_timeout_ms,
          "How long one call to another process's module may take (long polls: plus their wait)");
}

bool is_module_name(std::string_view name) {
  return std::find(std::begin(kModuleNames), std::end(kModuleNames), name) !=
         std::end(kModuleNames);
}

/// `modules` names each module at most once and only known ones.
std::string validate_module_list(const Config& config) {
  if (config.modules.empty()) {
    return "modules must name at least one of submission, result, url, problem, access";
  }
  std::set<std::string> seen;
  for (const std::string& name : config.modules) {
    if (!is_module_name(name)) {
      return "modules: unknown module '" + name +
             "' (submission, result, url, problem or access)";
    }
    if (!seen.insert(name).second) return "modules names '" + name + "' twice";
  }
  return "";
}

/// Every module served elsewhere has a URL (the public API needs all four, and a hosted module
/// may need it), and no module hosted here has one: a URL that would be ignored is a mistake.
std::string validate_service_urls(const Config& config) {
  for (std::string_view name : kModuleNames) {
    const std::string& url = service_url(config, name);
    const std::string key = std::string(name) + "_service_url";
    if (hosts(config, name) && !url.empty()) {
      return key + " is set but this process hosts " + std::string(name) + " itself";
    }
    if (hosts(config, name)) continue;
    if (url.empty()) {
      return "modules does not include " + std::string(name) + ": set " + key +
             " to the http://host:port of a process that hosts it";
    }
    if (!parse_base_url(url)) return key + " must look like http://host:port, not '" + url + "'";
  }
  return "";
}

std::string validate_judge0(const Config& config) {
  for (const std::string& token : config.judge0_auth_tokens) {
    if (token.size() < 16) return "judge0-auth-tokens entries need at least 16 characters each";
  }
  for (const std::string& host : config.judge0_callback_hosts) {
    const bool plain = std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view(".-_:[]").find(c) != std::string_view::npos;
    });
    if (host.empty() || !plain) {
      return "judge0-callback-hosts entries are host or host:port, e.g. lms.example.edu:8000";
    }
  }
  if (config.judge0_callback_tries < 1 || config.judge0_callback_tries > 10) {
    return "judge0-callback-tries must be between 1 and 10";
  }
  if (config.judge0_callback_timeout_ms < 100 || config.judge0_callback_timeout_ms > 60'000) {
    return "judge0-callback-timeout-ms must be between 100 and 60000";
  }
  return "";
}

/// An origin is what a browser sends in Origin: scheme, host and port, no path.
std::string validate_cors_origins(const Config& config) {
  for (const std::string& origin : config.cors_origins) {
    if (origin == "*") continue;
    const bool scheme = origin.starts_with("http://") || origin.starts_with("https://");
    const auto host = origin.find("://") + 3;
    if (!scheme || host >= origin.size() || origin.find('/', host) != std::string::npos) {
      return "cors-origins: '" + origin + "' is not an origin such as https://lms.example.org";
    }
  }
  return "";
}

std::string validate_split(const Config& config) {
  if (std::string problem = validate_module_list(config); !problem.empty()) return problem;
  if (std::string problem = validate_service_urls(config); !problem.empty()) return problem;
  if (config.internal_timeout_ms < 100 || config.internal_timeout_ms > 600'000) {
    return "internal-timeout-ms must be between 100 and 600000";
  }
  const bool split = config.modules.size() < std::size(kModuleNames);
  if (split && config.internal_token.empty()) {
    return "modules hosts only part of the modules: set internal_token, the secret the "
           "processes of the deployment share";
  }
  if (!config.internal_token.empty() && config.internal_token.size() < 16) {
    return "internal-token must be at least 16 characters (e.g. openssl rand -hex 32)";
  }
  return "";
}

}  // namespace

bool hosts(const Config& config, std::string_view name) {
  return std::find(config.modules.begin(), config.modules.end(), name) != config.modules.end();
}

const std::string& service_url(const Config& config, std::string_view name) {
  if (name == "submission") return config.submission_service_url;
  if (name == "result") return config.result_service_url;
  if (name == "problem") return config.problem_service_url;
  if (name == "access") return config.access_service_url;
  return config.url_service_url;
}

std::optional<HostPort> parse_base_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  HostPort parsed;
  std::string_view port;
  if (!url.empty() && url.front() == '[') {
    const std::size_t close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parsed.host = std::string(url.substr(1, close - 1));
    url.remove_prefix(close + 1);
    if (!url.empty() && url.front() != ':') return std::nullopt;
    if (!url.empty()) port = url.substr(1);
  } else {
    const std::size_t colon = url.find(':');
    parsed.host = std::string(url.substr(0, colon));
    if (colon != std::string_view::npos) port = url.substr(colon + 1);
  }
  const bool bad_host =
      parsed.host.empty() || parsed.host.find_first_of("/?#@ ") != std::string::npos;
  unsigned number = 0;
  const bool has_port = url.find(':') != std::string_view::npos;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  const bool bad_port = has_port && (ec != std::errc() || end != port.data() + port.size() ||
                                     number == 0 || number > 65535);
  if (bad_host || bad_port) return std::nullopt;
  parsed.port = has_port ? std::string(port) : "80";
  return parsed;
}

void add_config_options(CLI::App& app, Config& config) {
  auto config_path = std::make_shared<std::string>("config/ide.toml");
  CLI::Option* config_option =
      app.add_option("--config", *config_path, "TOML file with any of these settings")
          ->envname("IDE_CONFIG")
          ->capture_default_str();
  app.callback([&app, config_path, config_option] {
    apply_config_file(app, *config_path, config_option->count() > 0);
  });
  setting(app, "host", config.host, "Address to listen on");
  setting(app, "port", config.port, "Port to listen on (0 picks a free port)");
  setting(app, "data-dir", config.data_dir, "Where the four databases live");
  setting(app, "languages-file", config.languages_file, "The language catalogue");
  setting(app, "workers", config.workers, "Concurrent runs (0: one per core)");
  setting(app, "max-queue", config.max_queue, "Queued jobs before submits answer 503");
  setting(app, "max-body", config.max_body_bytes, "Largest request body in bytes");
  setting(app, "max-tests", config.max_tests, "Test cases one submission may carry (1-1000)");
  setting(app, "max-connections", config.max_connections, "Open connections at most");
  setting(app, "header-timeout-ms", config.header_timeout_ms, "Time to send request headers");
  setting(app, "body-timeout-ms", config.body_timeout_ms, "Time to send a request body");
  setting(app, "max-streams", config.max_streams, "Open live-output WebSockets at most");
  setting(app, "stream-idle-timeout-ms", config.stream_idle_timeout_ms,
          "A WebSocket that neither sends nor answers pings this long is closed");
  setting(app, "public-url", config.public_url,
          "Base of share links, e.g. https://ide.example.org (default: from the Host header)");
  setting(app, "share-secret", config.share_secret,
          "Key of the slug hash (default: generated into the data dir)");
  setting(app, "submission-store", config.submission_store,
          "Where submissions are kept: empty for SQLite in the data dir, or a postgresql:// URL");
  setting(app, "result-store", config.result_store,
          "Where the queue and results are kept: empty for SQLite in the data dir, or a "
          "postgresql:// URL that several worker processes may share");
  setting(app, "job-lease-ms", config.job_lease_ms,
          "How long a claimed job may go unrenewed before another worker runs it again");
  setting(app, "url-store", config.url_store,
          "Where share links are kept: empty for SQLite in the data dir, or a postgresql:// URL");
  setting(app, "problem-store", config.problem_store,
          "Where problems are kept: empty for SQLite in the data dir, or a postgresql:// URL");
  setting(app, "max-problems", config.max_problems, "Problems kept at most (1-100000)");
  setting(app, "access-store", config.access_store,
          "Where class tokens are kept: empty for SQLite in the data dir, or a postgresql:// URL");
  setting(app, "max-class-tokens", config.max_class_tokens,
          "Class tokens kept at most (1-100000)");
  setting(app, "max-unsent", config.max_unsent_bytes,
          "Bytes all responses not yet read by their clients may hold together (503 beyond)");
  setting(app, "result-cache", config.result_cache_bytes,
          "Bytes of encoded finished results kept in memory to answer reads (0: off)");
  setting(app, "cpu-ms", config.limits.run.cpu_ms, "Default CPU time limit of a run");
  setting(app, "wall-ms", config.limits.run.wall_ms, "Default wall-clock limit of a run");
  setting(app, "memory-kb", config.limits.run.memory_kb, "Default memory limit of a run");
  setting(app, "max-processes", config.limits.run.max_processes, "Processes a run may have");
  setting(app, "output-bytes", config.limits.run.output_bytes, "Cap on stdout and on stderr");
  setting(app, "file-size-bytes", config.limits.run.file_size_bytes, "Largest file a run writes");
  setting(app, "max-cpu-ms", config.limits.max_cpu_ms, "Highest cpu_ms a submission may ask");
  setting(app, "max-wall-ms", config.limits.max_wall_ms, "Highest wall_ms a submission may ask");
  setting(app, "max-memory-kb", config.limits.max_memory_kb,
          "Highest memory_kb a submission may ask");
  setting(app, "compile-cpu-ms", config.limits.compile.cpu_ms, "CPU time limit of a compile");
  setting(app, "compile-wall-ms", config.limits.compile.wall_ms, "Wall-clock limit of a compile");
  setting(app, "compile-memory-kb", config.limits.compile.memory_kb, "Memory limit of a compile");
  setting(app, "truncate-output-only", config.limits.truncate_output_only,
          "Cut over-long output but keep the verdict (instead of output_limit_exceeded)");
  setting(app, "insecure-no-sandbox", config.insecure_no_sandbox,
          "Run code WITHOUT isolation (development only)");
  setting(app, "run-cpu-weight", config.run_cpu_weight,
          "CPU weight of runs against the server's 100 (cgroup cpu.weight, 1-10000)");
  setting(app, "rate-limit-per-minute", config.rate_limit_per_minute,
          "Submits per minute per client (0: off)");
  setting(app, "rate-limit-burst", config.rate_limit_burst, "Submits a client may burst");
  setting(app, "max-connections-per-client", config.max_connections_per_client,
          "Open connections one client may have (0: no cap)");
  setting(app, "max-queued-per-client", config.max_queued_per_client,
          "Submissions one client may have queued or running (0: no cap)");
  setting(app, "trusted-proxies", config.trusted_proxies,
          "Reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For names the client")
      ->delimiter(',');
  setting(app, "cors-origins", config.cors_origins,
          "Origins (https://host[:port], comma-separated, or *) whose pages may call the API "
          "from the browser (CORS); empty: none")
      ->delimiter(',');
  setting(app, "judge0-auth-tokens", config.judge0_auth_tokens,
          "Tokens (comma-separated) Judge0's API accepts in X-Auth-Token; empty: none needed")
      ->delimiter(',');
  setting(app, "admin-tokens", config.admin_tokens,
          "Bearer tokens (comma-separated, 16+ characters each) that create, change and delete "
          "problems; empty: problems are read-only")
      ->delimiter(',');
  setting(app, "anonymous-access", config.anonymous_access,
          "What callers without a bearer token may do: rate_limited, read_only or off")
      ->check(CLI::IsMember({"rate_limited", "read_only", "off"}));
  setting(app, "judge0-callback-hosts", config.judge0_callback_hosts,
          "Hosts (host or host:port, comma-separated) a Judge0 callback_url may name; empty: "
          "callbacks are refused")
      ->delimiter(',');
  setting(app, "judge0-callback-tries", config.judge0_callback_tries,
          "PUTs of one Judge0 callback at most (1-10), while the receiver fails");
  setting(app, "judge0-callback-timeout-ms", config.judge0_callback_timeout_ms,
          "Time one Judge0 callback PUT may take (100-60000)");
  setting(app, "shutdown-grace-ms", config.shutdown_grace_ms,
          "On SIGTERM, how long running jobs may finish");
  setting(app, "retention-days", config.retention_days, "Purge data older than this (0: never)");
  setting(app, "retention-include-shared", config.retention_include_shared,
          "Purge shared submissions too");
  setting(app, "log-level", config.log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  add_split_options(app, config);
}

std::string validate(const Config& config) {
  const LimitSettings& l = config.limits;
  if (config.max_body_bytes < 1024) return "max-body must be at least 1024 bytes";
  if (config.max_queue == 0) return "max-queue must be at least 1";
  if (config.max_tests < 1 || config.max_tests > 1000)
    return "max-tests must be between 1 and 1000";
  if (config.max_problems < 1 || config.max_problems > 100'000)
    return "max-problems must be between 1 and 100000";
  if (config.max_class_tokens < 1 || config.max_class_tokens > 100'000)
    return "max-class-tokens must be between 1 and 100000";
  for (const std::string& token : config.admin_tokens) {
    if (token.size() < 16) return "admin-tokens entries need at least 16 characters each";
  }
  if (config.run_cpu_weight < 1 || config.run_cpu_weight > 10000)
    return "run-cpu-weight must be between 1 and 10000";
  if (config.max_connections == 0) return "max-connections must be at least 1";
  if (config.header_timeout_ms <= 0 || config.body_timeout_ms <= 0)
    return "header-timeout-ms and body-timeout-ms must be positive";
  if (config.max_unsent_bytes < 1024 * 1024) return "max-unsent must be at least 1 MiB";
  if (config.stream_idle_timeout_ms < 1000) return "stream-idle-timeout-ms must be at least 1000";
  for (const StageLimits* s : {&l.run, &l.compile}) {
    if (s->cpu_ms <= 0 || s->wall_ms <= 0 || s->memory_kb <= 0 || s->max_processes <= 0 ||
        s->output_bytes <= 0 || s->file_size_bytes <= 0)
      return "every limit must be positive";
  }
  if (l.run.cpu_ms > l.max_cpu_ms) return "cpu-ms is above max-cpu-ms";
  if (l.run.wall_ms > l.max_wall_ms) return "wall-ms is above max-wall-ms";
  if (l.run.memory_kb > l.max_memory_kb) return "memory-kb is above max-memory-kb";
  if (config.rate_limit_per_minute < 0) return "rate-limit-per-minute must not be negative";
  if (config.rate_limit_burst < 1) return "rate-limit-burst must be at least 1";
  if (config.retention_days < 0) return "retention-days must not be negative";
  if (config.shutdown_grace_ms < 0) return "shutdown-grace-ms must not be negative";
  if (config.job_lease_ms < 1000) return "job-lease-ms must be at least 1000";
  if (std::string problem = validate_cors_origins(config); !problem.empty()) return problem;
  if (std::string problem = validate_judge0(config); !problem.empty()) return problem;
  return validate_split(config);
}

unsigned worker_count(const Config& config) {
  if (config.workers > 0) return config.workers;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? cores : 1;
}

}  // namespace ide::core
