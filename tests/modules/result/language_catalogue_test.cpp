// The language catalogue: parsing languages.json (and rejecting bad entries with a named field),
// probing real binaries (missing ones are dropped, versions parsed), and the shipped catalogue.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <optional>

#include "language_catalogue.hpp"
#include "support/temp_dir.hpp"

using ide::result::LanguageCatalogue;
using ide::result::LanguageSpec;
using ide::result::parse_catalogue;
using ide::result::parse_version;

namespace {

std::string error_of(std::string_view text) {
  auto parsed = parse_catalogue(text);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code == ide::core::ErrorCode::invalid_argument);
  return parsed.error().message;
}

LanguageSpec spec(std::string id, std::vector<std::string> version,
                  std::vector<std::string> run = {"/usr/bin/bash", "main.sh"}) {
  LanguageSpec s;
  s.id = std::move(id);
  s.name = s.id;
  s.source = "main.sh";
  s.run = std::move(run);
  s.version_command = std::move(version);
  return s;
}

}  // namespace

TEST_CASE("a catalogue entry is parsed with defaults", "[result]") {
  auto parsed = parse_catalogue(R"([
    {"id": "c", "name": "C", "source": "main.c", "compile": ["/usr/bin/gcc", "-o", "main", "main.c"],
     "run": ["./main"], "version": ["/usr/bin/gcc", "--version"], "env": {"A": "1", "HOME": "/x"}},
    {"id": "py", "name": "Python", "source": "main.py", "compile": null,
     "run": ["/usr/bin/python3", "main.py"], "version": ["/usr/bin/python3", "--version"],
     "limit_address_space": false, "out_of_memory_markers": ["MemoryError"]}
  ])");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  const LanguageSpec& c = (*parsed)[0];
  CHECK(c.id == "c");
  CHECK(c.compile == std::vector<std::string>{"/usr/bin/gcc", "-o", "main", "main.c"});
  CHECK(c.run == std::vector<std::string>{"./main"});
  CHECK(c.limit_address_space);
  CHECK(c.env == std::vector<std::string>{"A=1", "HOME=/x"});
  const LanguageSpec& py = (*parsed)[1];
  CHECK(py.compile.empty());
  CHECK_FALSE(py.limit_address_space);
  CHECK(c.out_of_memory_markers.empty());
  CHECK(py.out_of_memory_markers == std::vector<std::string>{"MemoryError"});

  // A language's own variables win over the base environment.
  const auto env = ide::result::program_environment(c);
  CHECK(std::count(env.begin(), env.end(), "HOME=/x") == 1);
  CHECK(std::count(env.begin(), env.end(), "HOME=/tmp") == 0);
  CHECK(std::count(env.begin(), env.end(), "PATH=/usr/local/bin:/usr/bin:/bin") == 1);
  CHECK(std::count(env.begin(), env.end(), "LANG=C.UTF-8") == 1);
  CHECK(std::count(env.begin(), env.end(), "A=1") == 1);
}

TEST_CASE("bad catalogue entries are refused naming the problem", "[result]") {
  const std::string ok_rest =
      R"("name": "X", "source": "main.x", "run": ["/bin/x"], "version": ["/bin/x", "-v"])";
  CHECK(error_of("not json").find("JSON") != std::string::npos);
  CHECK(error_of("{}").find("array") != std::string::npos);
  CHECK(error_of(R"([{"name": "X", "source": "a", "run": ["/a"], "version": ["/a"]}])")
            .find("'id'") != std::string::npos);
  CHECK(error_of(R"([{"id": "x", "name": "X", "source": "main.x", "version": ["/bin/x"]}])")
            .find("'run'") != std::string::npos);
  CHECK(error_of(R"([{"id": "x", "name": "X", "source": "main.x", "run": ["x"],
                      "version": ["/bin/x"]}])")
            .find("absolute") != std::string::npos);
  CHECK(error_of(R"([{"id": "x", "name": "X", "source": "main.x", "run": ["./../x"],
                      "version": ["/bin/x"]}])")
            .find("'run'") != std::string::npos);
  CHECK(error_of(R"([{"id": "x", "name": "X", "source": "../main.x", "run": ["/bin/x"],
                      "version": ["/bin/x"]}])")
            .find("'source'") != std::string::npos);
  CHECK(error_of(R"([{"id": "x", "name": "X", "source": "main.x", "run": ["/bin/x"],
                      "compile": ["./cc"], "version": ["/bin/x"]}])")
            .find("'compile'") != std::string::npos);
  CHECK(error_of(R"([{"id": "x", )" + ok_rest + R"(, "env": {"A": 1}}])").find("'env'") !=
        std::string::npos);
  CHECK(error_of(R"([{"id": "x", )" + ok_rest + R"(, "limit_address_space": "no"}])")
            .find("limit_address_space") != std::string::npos);
  std::string seventeen = R"(["a")";
  for (int i = 1; i < 17; ++i) seventeen += R"(, "a")";
  seventeen += "]";
  for (const std::string& markers :
       {std::string(R"("MemoryError")"), std::string(R"([""])"), std::string("[1]"),
        R"([")" + std::string(201, 'x') + R"("])", seventeen}) {
    INFO(markers);
    CHECK(error_of(R"([{"id": "x", )" + ok_rest + R"(, "out_of_memory_markers": )" + markers + "}]")
              .find("out_of_memory_markers") != std::string::npos);
  }
  CHECK(error_of(R"([{"id": "x", )" + ok_rest + R"(, "colour": "red"}])").find("colour") !=
        std::string::npos);
  CHECK(error_of(R"([{"id": "x", )" + ok_rest + R"(}, {"id": "x", )" + ok_rest + "}]")
            .find("twice") != std::string::npos);
}

TEST_CASE("the names other APIs use are parsed, each naming one language", "[result]") {
  const std::string rest =
      R"("name": "X", "source": "main.x", "run": ["/bin/x"], "version": ["/bin/x", "-v"])";
  auto parsed = parse_catalogue(R"([{"id": "c", "aliases": ["gcc", "c#", "f.90"], "judge0_id": 50,
    "piston_runtime": "gcc", )" + rest + R"(}, {"id": "x", )" + rest + "}]");
  REQUIRE(parsed);
  CHECK((*parsed)[0].aliases == std::vector<std::string>{"gcc", "c#", "f.90"});
  CHECK((*parsed)[0].judge0_id == 50);
  CHECK((*parsed)[0].piston_runtime == "gcc");
  CHECK((*parsed)[1].aliases.empty());
  CHECK_FALSE((*parsed)[1].judge0_id);
  CHECK((*parsed)[1].piston_runtime.empty());

  const auto refused = [&](const std::string& fields, std::string_view expected) {
    INFO(fields);
    const std::string message =
        error_of(R"([{"id": "x", )" + rest + ", " + fields + R"(}, {"id": "y", "aliases": ["why"],
          "judge0_id": 7, )" + rest + "}]");
    CHECK(message.find(expected) != std::string::npos);
  };
  refused(R"("aliases": "xx")", "'aliases'");
  refused(R"("aliases": ["X"])", "'aliases'");
  refused(R"("aliases": ["a b"])", "'aliases'");
  refused(R"("aliases": ["a","b","c","d","e","f","g","h","i"])", "'aliases'");
  refused(R"("aliases": ["xx", "xx"])", "the alias 'xx' appears twice");
  refused(R"("aliases": ["y"])", "'y': the id appears twice");
  refused(R"("aliases": ["why"])", "the alias 'why' appears twice");
  refused(R"("judge0_id": 7)", "judge0_id appears twice");
  refused(R"("judge0_id": 0)", "'judge0_id'");
  refused(R"("judge0_id": "71")", "'judge0_id'");
  refused(R"("piston_runtime": "G C C")", "'piston_runtime'");
}

TEST_CASE("served languages carry their other names and whether they compile", "[result]") {
  LanguageSpec compiled = spec("c", {"/usr/bin/bash", "--version"});
  compiled.compile = {"/usr/bin/bash", "-c", "true"};
  compiled.aliases = {"gcc"};
  compiled.judge0_id = 50;
  compiled.piston_runtime = "gcc";
  const auto served =
      LanguageCatalogue::probe({compiled, spec("sh", {"/usr/bin/bash", "--version"})}).served();
  REQUIRE(served.size() == 2);
  CHECK(served[0].aliases == std::vector<std::string>{"gcc"});
  CHECK(served[0].judge0_id == 50);
  CHECK(served[0].piston_runtime == "gcc");
  CHECK(served[0].compiled);
  CHECK(served[1].aliases.empty());
  CHECK_FALSE(served[1].judge0_id);
  CHECK_FALSE(served[1].compiled);
}

TEST_CASE("versions are parsed out of version banners", "[result]") {
  CHECK(parse_version("Python 3.11.2\n") == "3.11.2");
  CHECK(parse_version("v20.20.2\n") == "20.20.2");
  CHECK(parse_version("gcc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright") == "12.2.0");
  CHECK(parse_version("GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)") == "5.2.15");
  CHECK(parse_version("go version go1.19.8 linux/amd64") == "1.19.8");
  CHECK(parse_version("javac 17.0.15") == "17.0.15");
  CHECK(parse_version("Lua 5.4.4  Copyright (C) 1994-2022 Lua.org") == "5.4.4");
  CHECK(parse_version("no numbers here") == "");
}

TEST_CASE("probing keeps installed languages and drops missing ones", "[result]") {
  const auto catalogue = LanguageCatalogue::probe(
      {
          spec("bash", {"/usr/bin/bash", "--version"}),
          spec("ghost", {"/nonexistent/bin/ghost", "--version"}, {"/nonexistent/bin/ghost", "m"}),
          spec("ghostrun", {"/usr/bin/bash", "--version"}, {"/nonexistent/bin/ghost", "m"}),
          spec("failing", {"/usr/bin/false"}),
          spec("noversion", {"/usr/bin/true"}),
          spec("slow", {"/usr/bin/sleep", "30"}),
      },
      std::chrono::milliseconds(500));

  REQUIRE(catalogue.entries().size() == 6);
  const auto& bash = catalogue.entries()[0];
  CHECK(bash.installed);
  CHECK(bash.version == parse_version(bash.version));
  CHECK_FALSE(bash.version.empty());
  CHECK(catalogue.entries()[1].problem.find("ghost") != std::string::npos);
  CHECK_FALSE(catalogue.entries()[1].installed);
  CHECK_FALSE(catalogue.entries()[2].installed);
  CHECK_FALSE(catalogue.entries()[3].installed);
  CHECK(catalogue.entries()[4].installed);
  CHECK(catalogue.entries()[4].version == "unknown");
  CHECK_FALSE(catalogue.entries()[5].installed);
  CHECK(catalogue.entries()[5].problem.find("in time") != std::string::npos);

  const auto served = catalogue.served();
  REQUIRE(served.size() == 2);
  CHECK(served[0].id == "bash");
  CHECK(served[1].id == "noversion");
  CHECK(catalogue.find("bash") != nullptr);
  CHECK(catalogue.find("ghost") == nullptr);
}

TEST_CASE("the version probe reads stderr too and passes the language's environment", "[result]") {
  LanguageSpec s = spec("env", {"/usr/bin/bash", "-c", "echo \"v$IDE_PROBE_V\" >&2"});
  s.env = {"IDE_PROBE_V=7.8.9"};
  const auto probed = ide::result::probe_language(s, std::chrono::seconds(10));
  CHECK(probed.installed);
  CHECK(probed.version == "7.8.9");
}

TEST_CASE("the shipped catalogue parses and has the minimum set", "[result]") {
  auto specs = ide::result::load_catalogue("config/languages.json");
  REQUIRE(specs);
  std::vector<std::string> ids;
  for (const auto& s : *specs) {
    ids.push_back(s.id);
    // The python3 first on PATH may be a shim a sandbox cannot see: absolute /usr/bin paths.
    CHECK(s.version_command[0].rfind("/usr/bin/", 0) == 0);
  }
  for (const char* id : {"python", "c", "cpp", "javascript", "bash"}) {
    INFO(id);
    CHECK(std::count(ids.begin(), ids.end(), id) == 1);
  }
  // Judge0 CE's ids of the languages it has (ce.judge0.com's GET /languages).
  const std::map<std::string, int> judge0_ids = {
      {"python", 71},   {"c", 50},      {"cpp", 54},        {"javascript", 63}, {"bash", 46},
      {"java", 62},     {"go", 60},     {"rust", 73},       {"ruby", 72},       {"php", 68},
      {"lua", 64},      {"perl", 85},   {"typescript", 74}, {"fortran", 59},    {"pascal", 67},
      {"assembly", 45}, {"sql", 82},    {"r", 80},          {"ocaml", 65},      {"csharp", 51},
      {"erlang", 58},   {"elixir", 57}, {"kotlin", 78}};
  for (const auto& s : *specs) {
    INFO(s.id);
    const auto known = judge0_ids.find(s.id);
    CHECK(s.judge0_id == (known == judge0_ids.end() ? std::nullopt : std::optional(known->second)));
  }
  CHECK_FALSE(ide::result::load_catalogue("config/no-such-file.json"));
}
