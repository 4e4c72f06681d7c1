#include "result/module.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/pg.hpp"
#include "core/sqlite.hpp"
#include "language_catalogue.hpp"
#include "pg_result_store.hpp"
#include "result_service_impl.hpp"
#include "sandbox/sandbox.hpp"
#include "sqlite_result_store.hpp"

namespace ide::result {

namespace {

constexpr std::string_view kInsecureWarning =
    "WARNING: --insecure-no-sandbox is set: submitted code runs WITHOUT isolation, with this "
    "server's user and files. Never expose this server to anyone you do not trust.";

/// FNV-1a: stable across builds, unlike std::hash.
std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

class ResultModuleImpl final : public ResultModule {
 public:
  ResultModuleImpl(std::unique_ptr<ResultServiceImpl> service, std::filesystem::path boxes_dir,
                   bool insecure)
      : service_(std::move(service)), boxes_dir_(std::move(boxes_dir)), insecure_(insecure) {}
  ResultModuleImpl(const ResultModuleImpl&) = delete;
  ResultModuleImpl& operator=(const ResultModuleImpl&) = delete;
  ~ResultModuleImpl() override {
    service_.reset();
    // Only when empty: a box left by a kill is the sandbox's to clean at the next start.
    std::error_code ignored;
    std::filesystem::remove(boxes_dir_, ignored);
  }

  ResultService& service() override { return *service_; }
  void start(JobSource& jobs) override { service_->start(jobs); }
  void stop(std::chrono::milliseconds grace) override { service_->stop(grace); }
  std::string isolation_summary() const override {
    std::string summary = service_->sandbox().isolation().describe();
    if (insecure_) summary += fmt::format("\n{}", kInsecureWarning);
    return summary;
  }

 private:
  std::unique_ptr<ResultServiceImpl> service_;
  std::filesystem::path boxes_dir_;
  bool insecure_;
};

std::unique_ptr<ResultStore> open_store(const ResultOptions& options) {
  if (core::pg::is_url(options.store)) return std::make_unique<PgResultStore>(options.store);
  return std::make_unique<SqliteResultStore>(options.data_dir / "results.db");
}

}  // namespace

/// Per-run work dirs: never inside the data dir (a run must not see the databases), and one
/// directory per data dir so that servers side by side never share boxes while a restart finds
/// (and the sandbox cleans) what a crash left behind.
std::filesystem::path boxes_dir_for(const ResultOptions& options) {
  std::error_code ec;
  std::filesystem::path data = std::filesystem::weakly_canonical(options.data_dir, ec);
  if (ec) data = std::filesystem::absolute(options.data_dir);
  return sandbox::default_boxes_dir(
      fmt::format("{:08x}", static_cast<std::uint32_t>(stable_hash(data.string()))),
      options.insecure_no_sandbox);
}

core::Result<std::unique_ptr<ResultModule>> make_result_module(const ResultOptions& options,
                                                               const core::Clock& clock) {
  auto specs = load_catalogue(options.languages_file);
  if (!specs) return core::fail(core::ErrorCode::unavailable, specs.error().message);
  LanguageCatalogue catalogue = LanguageCatalogue::probe(*specs);
  for (const ProbedLanguage& entry : catalogue.entries()) {
    if (entry.installed) {
      core::log::info("language {}: {} {}", entry.spec.id, entry.spec.name, entry.version);
    } else {
      core::log::info("language {}: not installed ({})", entry.spec.id, entry.problem);
    }
  }
  if (catalogue.served().empty()) {
    core::log::warn("no language of {} is installed: every submission will be refused",
                    options.languages_file.string());
  }

  const unsigned workers = std::max(1u, options.workers);
  const std::filesystem::path boxes_dir = boxes_dir_for(options);
  auto sandbox = sandbox::make_sandbox({.boxes_dir = boxes_dir,
                                        .slots = workers,
                                        .insecure = options.insecure_no_sandbox,
                                        .run_cpu_weight = options.run_cpu_weight});
  if (!sandbox) return core::Unexpected(sandbox.error());
  if (options.insecure_no_sandbox) core::log::warn("{}", kInsecureWarning);

  if (auto made = core::sqlite::create_data_dir(options.data_dir); !made) {
    return core::Unexpected(made.error());
  }
  try {
    auto service = std::make_unique<ResultServiceImpl>(
        open_store(options), std::move(*sandbox), std::move(catalogue), clock,
        ServiceOptions{.workers = workers,
                       .max_queue = options.max_queue,
                       .limits = options.limits,
                       .lease = options.job_lease});
    return std::unique_ptr<ResultModule>(std::make_unique<ResultModuleImpl>(
        std::move(service), boxes_dir, options.insecure_no_sandbox));
  } catch (const std::exception& e) {
    return core::Unexpected(core::store_error(e, "result"));
  }
}

std::string doctor_report(const ResultOptions& options) {
  std::string report = "Isolation:\n";
  const sandbox::IsolationReport isolation = sandbox::probe_isolation();
  report += isolation.describe();
  if (!report.ends_with('\n')) report += '\n';
  report += '\n';
  if (options.insecure_no_sandbox) {
    report += fmt::format("{}\n", kInsecureWarning);
    report += "ide serve would run code with rlimits only.\n";
  } else if (isolation.usable) {
    report += "ide serve would run code in the sandbox.\n";
  } else {
    report += fmt::format("ide serve would refuse to run code: {}\n", isolation.reason);
  }

  report += fmt::format("\nLanguages ({}):\n", options.languages_file.string());
  auto specs = load_catalogue(options.languages_file);
  if (!specs) {
    report += fmt::format("  cannot load the catalogue: {}\n", specs.error().message);
    return report;
  }
  const LanguageCatalogue catalogue = LanguageCatalogue::probe(*specs);
  for (const ProbedLanguage& entry : catalogue.entries()) {
    const std::string state =
        entry.installed ? entry.version : fmt::format("not installed ({})", entry.problem);
    report += fmt::format("  {:<12} {:<22} {}\n", entry.spec.id, entry.spec.name, state);
  }
  return report;
}

}  // namespace ide::result
