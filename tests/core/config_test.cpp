// Config: every setting from a flag, an IDE_* variable or the TOML file; precedence; validation.
#include "core/config.hpp"

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "support/temp_dir.hpp"

using ide::core::Config;

namespace {
Config parse(std::vector<std::string> args) {
  CLI::App app("test");
  Config config;
  ide::core::add_config_options(app, config);
  std::vector<const char*> argv{"ide"};
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return config;
}
}  // namespace

TEST_CASE("defaults match SPEC section 5 and 7", "[core][config]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  const Config config = parse({"--config", (dir / "empty.toml").string()});
  CHECK(config.host == "127.0.0.1");
  CHECK(config.port == 8080);
  CHECK(config.max_queue == 1000);
  CHECK(config.max_body_bytes == 8 * 1024 * 1024);
  CHECK(config.limits.run.cpu_ms == 5000);
  CHECK(config.limits.run.wall_ms == 10000);
  CHECK(config.limits.run.memory_kb == 262144);
  CHECK(config.limits.run.max_processes == 64);
  CHECK(config.limits.run.output_bytes == 4 * 1024 * 1024);
  CHECK(config.run_cpu_weight == 50);
  CHECK(ide::core::validate(config).empty());
}

TEST_CASE("file < environment < flag", "[core][config]") {
  ide::test::TempDir dir;
  const auto file = dir / "ide.toml";
  std::ofstream(file) << "port = 9000\nworkers = 3\nmax_queue = 7\ndata_dir = \"/srv/ide\"\n"
                      << "insecure_no_sandbox = true\n";
  Config from_file = parse({"--config", file.string()});
  CHECK(from_file.port == 9000);
  CHECK(from_file.workers == 3);
  CHECK(from_file.max_queue == 7);
  CHECK(from_file.data_dir == "/srv/ide");
  CHECK(from_file.insecure_no_sandbox);

  ::setenv("IDE_PORT", "9100", 1);
  ::setenv("IDE_MAX_QUEUE", "8", 1);
  Config from_env = parse({"--config", file.string()});
  CHECK(from_env.port == 9100);
  CHECK(from_env.max_queue == 8);
  Config from_flag = parse({"--config", file.string(), "--port", "9200"});
  CHECK(from_flag.port == 9200);
  ::unsetenv("IDE_PORT");
  ::unsetenv("IDE_MAX_QUEUE");
}

TEST_CASE("the shipped config/ide.toml parses and is valid", "[core][config]") {
  const Config config = parse({"--config", std::string(IDE_SOURCE_DIR) + "/config/ide.toml"});
  CHECK(ide::core::validate(config).empty());
  CHECK(config.max_unsent_bytes == Config{}.max_unsent_bytes);
  CHECK(config.run_cpu_weight == Config{}.run_cpu_weight);
}

TEST_CASE("validate rejects nonsense", "[core][config]") {
  Config config;
  config.limits.run.cpu_ms = config.limits.max_cpu_ms + 1;
  CHECK_FALSE(ide::core::validate(config).empty());
  config = Config{};
  config.max_queue = 0;
  CHECK_FALSE(ide::core::validate(config).empty());
  config = Config{};
  config.max_unsent_bytes = 64 * 1024;
  CHECK(ide::core::validate(config) == "max-unsent must be at least 1 MiB");
  config = Config{};
  config.run_cpu_weight = 0;
  CHECK(ide::core::validate(config) == "run-cpu-weight must be between 1 and 10000");
  config.run_cpu_weight = 10001;
  CHECK(ide::core::validate(config) == "run-cpu-weight must be between 1 and 10000");
}

TEST_CASE("a named config file that is missing, or an unknown key, is an error", "[core][config]") {
  CHECK_THROWS(parse({"--config", "/nonexistent/ide.toml"}));
  ide::test::TempDir dir;
  std::ofstream(dir / "typo.toml") << "max_qeue = 5\n";
  CHECK_THROWS_WITH(parse({"--config", (dir / "typo.toml").string()}), Catch::Contains("max_qeue"));
}

TEST_CASE("one client cannot take the server out of the box", "[core][config][clients]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  for (const Config& config :
       {parse({"--config", (dir / "empty.toml").string()}),
        parse({"--config", std::string(IDE_SOURCE_DIR) + "/config/ide.toml"})}) {
    CHECK(config.rate_limit_per_minute == 60);
    CHECK(config.max_connections_per_client == 32);
    CHECK(config.max_queued_per_client == 10);
    CHECK(config.trusted_proxies.empty());
    CHECK(config.retention_days == 30);
  }
}

TEST_CASE("trusted_proxies is a list in the file, the environment and flags",
          "[core][config][clients]") {
  ide::test::TempDir dir;
  const auto file = dir / "ide.toml";
  std::ofstream(file) << "trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n"
                      << "max_connections_per_client = 0\nmax_queued_per_client = 3\n";
  const Config from_file = parse({"--config", file.string()});
  CHECK(from_file.trusted_proxies == std::vector<std::string>{"127.0.0.1", "10.0.0.0/8"});
  CHECK(from_file.max_connections_per_client == 0);
  CHECK(from_file.max_queued_per_client == 3);
  ::setenv("IDE_TRUSTED_PROXIES", "192.0.2.1,fd00::/8", 1);
  CHECK(parse({"--config", file.string()}).trusted_proxies ==
        std::vector<std::string>{"192.0.2.1", "fd00::/8"});
  ::unsetenv("IDE_TRUSTED_PROXIES");
  CHECK(
      parse({"--config", file.string(), "--trusted-proxies", "::1,10.1.0.0/16"}).trusted_proxies ==
      std::vector<std::string>{"::1", "10.1.0.0/16"});
}

TEST_CASE("an empty trusted_proxies list is empty", "[core][config][clients]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "ide.toml") << "trusted_proxies = []\n";
  CHECK(parse({"--config", (dir / "ide.toml").string()}).trusted_proxies.empty());
}

TEST_CASE("modules and the internal API's settings come from the file, the environment and flags",
          "[core][config][split]") {
  ide::test::TempDir dir;
  const auto file = dir / "ide.toml";
  std::ofstream(file) << "modules = \"submission,url,problem,access\"\n"
                      << "result_service_url = \"http://10.0.0.2:8091\"\n"
                      << "internal_token = \"0123456789abcdef\"\n"
                      << "internal_timeout_ms = 2500\n";
  const Config from_file = parse({"--config", file.string()});
  CHECK(from_file.modules ==
        std::vector<std::string>{"submission", "url", "problem", "access"});
  CHECK(from_file.result_service_url == "http://10.0.0.2:8091");
  CHECK(from_file.internal_timeout_ms == 2500);
  CHECK(ide::core::validate(from_file).empty());
  CHECK(ide::core::hosts(from_file, "url"));
  CHECK_FALSE(ide::core::hosts(from_file, "result"));

  ::setenv("IDE_MODULES", "result", 1);
  ::setenv("IDE_SUBMISSION_SERVICE_URL", "http://api:8080", 1);
  ::setenv("IDE_URL_SERVICE_URL", "http://api:8080", 1);
  ::setenv("IDE_PROBLEM_SERVICE_URL", "http://api:8080", 1);
  ::setenv("IDE_ACCESS_SERVICE_URL", "http://api:8080", 1);
  const Config from_env = parse({"--config", file.string(), "--result-service-url", ""});
  ::unsetenv("IDE_MODULES");
  ::unsetenv("IDE_SUBMISSION_SERVICE_URL");
  ::unsetenv("IDE_URL_SERVICE_URL");
  ::unsetenv("IDE_PROBLEM_SERVICE_URL");
  ::unsetenv("IDE_ACCESS_SERVICE_URL");
  CHECK(from_env.modules == std::vector<std::string>{"result"});
  CHECK(ide::core::validate(from_env).empty());

  ide::test::TempDir empty_dir;
  std::ofstream(empty_dir / "empty.toml") << "";
  const Config defaults = parse({"--config", (empty_dir / "empty.toml").string()});
  CHECK(defaults.modules ==
        std::vector<std::string>{"submission", "result", "url", "problem", "access"});
  CHECK(defaults.internal_token.empty());
  CHECK(defaults.internal_timeout_ms == 10'000);
}

TEST_CASE("validate says what a split process is missing", "[core][config][split]") {
  const auto problem = [](const std::function<void(Config&)>& change) {
    Config config;
    config.modules = {"submission", "url", "problem", "access"};
    config.result_service_url = "http://127.0.0.1:8091";
    config.internal_token = "0123456789abcdef";
    change(config);
    return ide::core::validate(config);
  };
  CHECK(problem([](Config&) {}).empty());
  CHECK_THAT(problem([](Config& c) {
               c.modules = {"submission", "queue"};
             }),
             Catch::Contains("unknown module 'queue'"));
  CHECK_THAT(problem([](Config& c) {
               c.modules = {"url", "url"};
             }),
             Catch::Contains("'url' twice"));
  CHECK_THAT(problem([](Config& c) { c.modules.clear(); }), Catch::Contains("at least one"));
  CHECK_THAT(problem([](Config& c) { c.result_service_url.clear(); }),
             Catch::Contains("set result_service_url"));
  CHECK_THAT(problem([](Config& c) { c.result_service_url = "https://x:1"; }),
             Catch::Contains("must look like http://host:port"));
  CHECK_THAT(problem([](Config& c) { c.url_service_url = "http://x:1"; }),
             Catch::Contains("url_service_url is set but this process hosts url"));
  CHECK_THAT(problem([](Config& c) { c.internal_token.clear(); }),
             Catch::Contains("set internal_token"));
  CHECK_THAT(problem([](Config& c) { c.internal_token = "short"; }),
             Catch::Contains("at least 16 characters"));
  CHECK_THAT(problem([](Config& c) { c.internal_timeout_ms = 50; }),
             Catch::Contains("internal-timeout-ms"));
  // One process hosting everything needs neither URLs nor a token; a token alone is fine.
  Config whole;
  CHECK(ide::core::validate(whole).empty());
  whole.internal_token = "0123456789abcdef";
  CHECK(ide::core::validate(whole).empty());
}

TEST_CASE("base URLs of other processes are http://host[:port]", "[core][config][split]") {
  const auto parsed = ide::core::parse_base_url("http://[::1]:8091/");
  REQUIRE(parsed);
  CHECK(parsed->host == "::1");
  CHECK(parsed->port == "8091");
  CHECK(ide::core::parse_base_url("http://api")->port == "80");
  for (const char* bad : {"api:80", "http://", "http://a:", "http://a:99999", "http://a/b",
                          "http://[::1", "http://u@a:1"}) {
    INFO(bad);
    CHECK_FALSE(ide::core::parse_base_url(bad));
  }
}

TEST_CASE("cors_origins is off by default, a list of origins, and refuses what is not one",
          "[core][config][cors]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  CHECK(parse({"--config", (dir / "empty.toml").string()}).cors_origins.empty());
  std::ofstream(dir / "cors.toml") << "cors_origins = [\"https://lms.example.edu\", "
                                      "\"http://localhost:3000\"]\n";
  const Config from_file = parse({"--config", (dir / "cors.toml").string()});
  CHECK(from_file.cors_origins ==
        std::vector<std::string>{"https://lms.example.edu", "http://localhost:3000"});
  CHECK(ide::core::validate(from_file).empty());
  Config config = parse({"--config", (dir / "empty.toml").string(), "--cors-origins", "*"});
  CHECK(ide::core::validate(config).empty());
  for (const char* bad : {"lms.example.edu", "https://lms.example.edu/", "https://", "ftp://x"}) {
    INFO(bad);
    config.cors_origins = {bad};
    CHECK(ide::core::validate(config).find("cors-origins") == 0);
  }
}

TEST_CASE("judge0 settings: off by default, lists from the file, bounds refused",
          "[core][config][judge0]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  const Config defaults = parse({"--config", (dir / "empty.toml").string()});
  CHECK(defaults.judge0_auth_tokens.empty());
  CHECK(defaults.judge0_callback_hosts.empty());
  CHECK(defaults.judge0_callback_tries == 3);
  CHECK(defaults.judge0_callback_timeout_ms == 5000);
  std::ofstream(dir / "judge0.toml")
      << "judge0_auth_tokens = [\"0123456789abcdef\"]\n"
         "judge0_callback_hosts = [\"lms.example.edu\", \"10.0.0.5:8000\", \"[::1]:9000\"]\n";
  Config config = parse({"--config", (dir / "judge0.toml").string()});
  CHECK(config.judge0_auth_tokens == std::vector<std::string>{"0123456789abcdef"});
  CHECK(config.judge0_callback_hosts.size() == 3);
  CHECK(ide::core::validate(config).empty());
  // The shipped file's empty lists are accepted too.
  CHECK(ide::core::validate(parse({"--config", IDE_SOURCE_DIR "/config/ide.toml"})).empty());

  const auto refused = [&](const std::function<void(Config&)>& change) {
    Config bad = config;
    change(bad);
    return ide::core::validate(bad).find("judge0-") == 0;
  };
  CHECK(refused([](Config& c) { c.judge0_auth_tokens = {"short"}; }));
  CHECK(refused([](Config& c) { c.judge0_callback_hosts = {"http://lms.example.edu"}; }));
  CHECK(refused([](Config& c) { c.judge0_callback_hosts = {""}; }));
  CHECK(refused([](Config& c) { c.judge0_callback_tries = 0; }));
  CHECK(refused([](Config& c) { c.judge0_callback_tries = 11; }));
  CHECK(refused([](Config& c) { c.judge0_callback_timeout_ms = 99; }));
}

TEST_CASE("max_tests: 64 by default, from the file and a flag, 1 to 1000", "[core][config]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  CHECK(parse({"--config", (dir / "empty.toml").string()}).max_tests == 64);
  CHECK(parse({"--config", IDE_SOURCE_DIR "/config/ide.toml"}).max_tests == 64);
  std::ofstream(dir / "tests.toml") << "max_tests = 200\n";
  const Config from_file = parse({"--config", (dir / "tests.toml").string()});
  CHECK(from_file.max_tests == 200);
  CHECK(ide::core::validate(from_file).empty());
  CHECK(parse({"--config", (dir / "tests.toml").string(), "--max-tests", "7"}).max_tests == 7);
  for (const std::size_t bad : {std::size_t{0}, std::size_t{1001}}) {
    Config config;
    config.max_tests = bad;
    CHECK(ide::core::validate(config) == "max-tests must be between 1 and 1000");
  }
  Config highest;
  highest.max_tests = 1000;
  CHECK(ide::core::validate(highest).empty());
}

TEST_CASE("problem settings: admin tokens off by default, max_problems and the store bounded",
          "[core][config][problems]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  const Config defaults = parse({"--config", (dir / "empty.toml").string()});
  CHECK(defaults.admin_tokens.empty());
  CHECK(defaults.max_problems == 1000);
  CHECK(defaults.problem_store.empty());
  CHECK(parse({"--config", IDE_SOURCE_DIR "/config/ide.toml"}).admin_tokens.empty());
  std::ofstream(dir / "problems.toml") << "admin_tokens = [\"teacher-0123456789\"]\n"
                                          "max_problems = 50\n"
                                          "problem_store = \"postgresql://db/problems\"\n";
  const Config config = parse({"--config", (dir / "problems.toml").string()});
  CHECK(config.admin_tokens == std::vector<std::string>{"teacher-0123456789"});
  CHECK(config.max_problems == 50);
  CHECK(config.problem_store == "postgresql://db/problems");
  CHECK(ide::core::validate(config).empty());
  Config bad = config;
  bad.admin_tokens = {"short"};
  CHECK(ide::core::validate(bad) == "admin-tokens entries need at least 16 characters each");
  for (const std::size_t count : {std::size_t{0}, std::size_t{100'001}}) {
    bad = config;
    bad.max_problems = count;
    CHECK(ide::core::validate(bad) == "max-problems must be between 1 and 100000");
  }
}

TEST_CASE("class token settings: SQLite by default, max_class_tokens bounded",
          "[core][config][access]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  const Config defaults = parse({"--config", (dir / "empty.toml").string()});
  CHECK(defaults.max_class_tokens == 1000);
  CHECK(defaults.access_store.empty());
  CHECK(defaults.access_service_url.empty());
  std::ofstream(dir / "access.toml") << "max_class_tokens = 20\n"
                                        "access_store = \"postgresql://db/access\"\n";
  const Config config = parse({"--config", (dir / "access.toml").string()});
  CHECK(config.max_class_tokens == 20);
  CHECK(config.access_store == "postgresql://db/access");
  CHECK(ide::core::validate(config).empty());
  CHECK(parse({"--config", (dir / "access.toml").string(), "--max-class-tokens", "7"})
            .max_class_tokens == 7);
  for (const std::size_t count : {std::size_t{0}, std::size_t{100'001}}) {
    Config bad = config;
    bad.max_class_tokens = count;
    CHECK(ide::core::validate(bad) == "max-class-tokens must be between 1 and 100000");
  }
}

TEST_CASE("anonymous_access: rate_limited by default, read_only or off, nothing else",
          "[core][config][access]") {
  ide::test::TempDir dir;
  std::ofstream(dir / "empty.toml") << "";
  CHECK(parse({"--config", (dir / "empty.toml").string()}).anonymous_access == "rate_limited");
  std::ofstream(dir / "closed.toml") << "anonymous_access = \"read_only\"\n";
  CHECK(parse({"--config", (dir / "closed.toml").string()}).anonymous_access == "read_only");
  CHECK(parse({"--config", (dir / "closed.toml").string(), "--anonymous-access", "off"})
            .anonymous_access == "off");
  std::ofstream(dir / "bad.toml") << "anonymous_access = \"none\"\n";
  CHECK_THROWS_AS(parse({"--config", (dir / "bad.toml").string()}), CLI::ValidationError);
}

TEST_CASE("max_streams and stream_idle_timeout_ms: defaults, the file, a flag, the floor",
          "[core][config]") {
  ide::test::TempDir dir;
  const Config shipped = parse({"--config", IDE_SOURCE_DIR "/config/ide.toml"});
  CHECK(shipped.max_streams == 64);
  CHECK(shipped.stream_idle_timeout_ms == 60'000);
  std::ofstream(dir / "streams.toml") << "max_streams = 0\nstream_idle_timeout_ms = 5000\n";
  const Config from_file = parse({"--config", (dir / "streams.toml").string()});
  CHECK(from_file.max_streams == 0);
  CHECK(from_file.stream_idle_timeout_ms == 5000);
  CHECK(ide::core::validate(from_file).empty());
  CHECK(parse({"--config", (dir / "streams.toml").string(), "--max-streams", "3"}).max_streams ==
        3);
  Config too_short;
  too_short.stream_idle_timeout_ms = 999;
  CHECK(ide::core::validate(too_short) == "stream-idle-timeout-ms must be at least 1000");
}
