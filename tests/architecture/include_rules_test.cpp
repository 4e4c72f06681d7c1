// Checks every #include under src/ against the module rule of SPEC section 2:
// core includes only core; a module includes core, its own headers and the public api of the
// modules it declares in ide_add_module(USES_APIS), and those declarations form a tree; http
// includes only core, api headers, compose (src/app/compose), web, remote and its own headers;
// remote (src/remote) includes only core, api headers and itself; only src/app may include wiring
// headers; nobody includes another module's internals; and no
// database file name appears outside the module that owns it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kSrc = fs::path(IDE_SOURCE_DIR) / "src";

struct Include {
  fs::path file;
  int line;
  std::string target;
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<fs::path> sources_under(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".hpp" || ext == ".cpp" || ext == ".h")) {
      files.push_back(entry.path());
    }
  }
  return files;
}

std::vector<Include> quoted_includes(const fs::path& file) {
  static const std::regex kInclude(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<Include> result;
  std::ifstream in(file);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::smatch match;
    if (std::regex_search(line, match, kInclude)) result.push_back({file, number, match[1]});
  }
  return result;
}

std::map<std::string, std::set<std::string>> declared_dependencies() {
  std::map<std::string, std::set<std::string>> uses;
  std::ifstream in(IDE_MODULE_DEPENDENCIES);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::set<std::string>& set = uses[line.substr(0, colon)];
    std::stringstream rest(line.substr(colon + 1));
    std::string item;
    while (std::getline(rest, item, ';')) {
      item.erase(0, item.find_first_not_of(' '));
      if (!item.empty()) set.insert(item);
    }
  }
  return uses;
}

/// Headers a module offers to others: everything under api/<module>/.
bool is_api_header(const std::string& module, const std::string& target) {
  return fs::exists(kSrc / "modules" / module / "api" / target);
}
bool is_wiring_header(const std::string& module, const std::string& target) {
  return fs::exists(kSrc / "modules" / module / "wiring" / target);
}
std::string first_segment(const std::string& target) { return target.substr(0, target.find('/')); }

std::string where(const Include& include) {
  return fs::relative(include.file, IDE_SOURCE_DIR).string() + ":" + std::to_string(include.line) +
         " includes \"" + include.target + "\"";
}

}  // namespace

TEST_CASE("the build declares the five modules", "[architecture]") {
  const auto uses = declared_dependencies();
  CHECK(uses.count("submission") == 1);
  CHECK(uses.count("result") == 1);
  CHECK(uses.count("url") == 1);
  CHECK(uses.count("problem") == 1);
  CHECK(uses.count("access") == 1);
}

TEST_CASE("core includes only core", "[architecture]") {
  for (const auto& file : sources_under(kSrc / "core")) {
    for (const auto& include : quoted_includes(file)) {
      INFO(where(include));
      CHECK(first_segment(include.target) == "core");
    }
  }
}

TEST_CASE("modules include only core, themselves and declared public interfaces",
          "[architecture]") {
  const auto uses = declared_dependencies();
  for (const auto& [module, allowed] : uses) {
    const fs::path root = kSrc / "modules" / module;
    for (const auto& file : sources_under(root)) {
      const bool in_api = file.string().find("/api/") != std::string::npos;
      for (const auto& include : quoted_includes(file)) {
        INFO(where(include));
        const std::string& target = include.target;
        const std::string owner = first_segment(target);
        if (owner == "core") continue;
        if (in_api) {
          // A public header is plain data and interfaces: it may not pull in internals.
          CHECK((is_api_header(module, target) ||
                 (allowed.count(owner) == 1 && is_api_header(owner, target))));
          continue;
        }
        const bool own = is_api_header(module, target) || is_wiring_header(module, target) ||
                         fs::exists(root / "impl" / target) ||
                         fs::exists(file.parent_path() / target) ||
                         (module == "result" && owner == "sandbox");
        const bool other_api = allowed.count(owner) == 1 && is_api_header(owner, target);
        CHECK((own || other_api));
      }
    }
  }
}

TEST_CASE("the sandbox library is used only by the result module", "[architecture]") {
  for (const fs::path& dir : {kSrc / "core", kSrc / "http", kSrc / "app", kSrc / "remote",
                              kSrc / "modules" / "submission", kSrc / "modules" / "url",
                              kSrc / "modules" / "problem", kSrc / "modules" / "access"}) {
    for (const auto& file : sources_under(dir)) {
      for (const auto& include : quoted_includes(file)) {
        INFO(where(include));
        CHECK(first_segment(include.target) != "sandbox");
      }
    }
  }
}

TEST_CASE("the modules' dependencies form a tree: no module reaches itself", "[architecture]") {
  const auto uses = declared_dependencies();
  // Depth-first from each module; `path` is the chain being followed.
  std::function<bool(const std::string&, std::vector<std::string>&)> reaches_cycle =
      [&](const std::string& module, std::vector<std::string>& path) {
        if (std::find(path.begin(), path.end(), module) != path.end()) return true;
        path.push_back(module);
        auto it = uses.find(module);
        if (it != uses.end()) {
          for (const std::string& next : it->second) {
            if (reaches_cycle(next, path)) return true;
          }
        }
        path.pop_back();
        return false;
      };
  for (const auto& [module, allowed] : uses) {
    std::vector<std::string> path;
    const bool cycle = reaches_cycle(module, path);
    std::string chain;
    for (const std::string& step : path) chain += step + " -> ";
    INFO("from " << module << ": " << chain << "...");
    CHECK_FALSE(cycle);
  }
  CHECK(uses.at("result").empty());
}

TEST_CASE("modules get typed options, never the whole server config", "[architecture]") {
  for (const auto& file : sources_under(kSrc / "modules")) {
    for (const auto& include : quoted_includes(file)) {
      INFO(where(include));
      CHECK(include.target != "core/config.hpp");
    }
  }
}

namespace {

/// Checks that every file under `root` includes only core, the modules' public interfaces and
/// headers of its own layer (`self`).
void check_layer_includes(const fs::path& root, const std::string& self) {
  const auto uses = declared_dependencies();
  CHECK_FALSE(sources_under(root).empty());
  for (const auto& file : sources_under(root)) {
    for (const auto& include : quoted_includes(file)) {
      INFO(where(include));
      const std::string owner = first_segment(include.target);
      CHECK((owner == "core" || owner == self ||
             (uses.count(owner) == 1 && is_api_header(owner, include.target))));
    }
  }
}

}  // namespace

TEST_CASE("compose includes only core and public interfaces", "[architecture]") {
  check_layer_includes(kSrc / "app" / "compose", "compose");
}

TEST_CASE("remote includes only core, public interfaces and itself", "[architecture]") {
  check_layer_includes(kSrc / "remote", "remote");
}

TEST_CASE("http includes only core, public interfaces, compose, web, remote and itself",
          "[architecture]") {
  const auto uses = declared_dependencies();
  const fs::path root = kSrc / "http";
  for (const auto& file : sources_under(root)) {
    for (const auto& include : quoted_includes(file)) {
      INFO(where(include));
      const std::string owner = first_segment(include.target);
      const bool ok =
          owner == "core" || owner == "web" || owner == "compose" || owner == "remote" ||
          (uses.count(owner) == 1 && is_api_header(owner, include.target)) ||
          fs::exists(file.parent_path() / include.target) || fs::exists(root / include.target);
      CHECK(ok);
    }
  }
}

TEST_CASE("only the composition root includes wiring, and nobody includes internals",
          "[architecture]") {
  const auto uses = declared_dependencies();
  for (const auto& file : sources_under(kSrc / "app")) {
    for (const auto& include : quoted_includes(file)) {
      INFO(where(include));
      const std::string owner = first_segment(include.target);
      if (uses.count(owner) == 1) {
        CHECK((is_api_header(owner, include.target) || is_wiring_header(owner, include.target)));
      }
      CHECK(owner != "sandbox");
    }
  }
}

TEST_CASE("each database file is named only inside the module that owns it", "[architecture]") {
  const std::map<std::string, std::string> owner_of = {
      {"submissions.db", "submission"},
      {"results.db", "result"},
      {"urls.db", "url"},
      {"problems.db", "problem"},
      {"access.db", "access"}};
  for (const auto& file : sources_under(kSrc)) {
    const std::string text = read(file);
    for (const auto& [db_file, module] : owner_of) {
      if (text.find(db_file) == std::string::npos) continue;
      INFO(fs::relative(file, IDE_SOURCE_DIR).string() << " names " << db_file);
      CHECK(file.string().find("/src/modules/" + module + "/") != std::string::npos);
    }
  }
}

TEST_CASE("no test's name holds a semicolon, which ctest would cut it at and so run nothing",
          "[architecture]") {
  // catch_discover_tests passes names through CMake lists: "a; b" registers "a", a filter that
  // matches no test case, which Catch answers with success.
  const std::regex test_case(R"re(TEST_CASE\(\s*"([^"]*)")re");
  for (const auto& file : sources_under(fs::path(IDE_SOURCE_DIR) / "tests")) {
    const std::string text = read(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), test_case);
         it != std::sregex_iterator(); ++it) {
      INFO(fs::relative(file, IDE_SOURCE_DIR).string() << ": " << (*it)[1].str());
      CHECK((*it)[1].str().find(';') == std::string::npos);
    }
  }
}
