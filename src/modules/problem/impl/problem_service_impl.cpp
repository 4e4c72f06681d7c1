#include "problem_service_impl.hpp"

#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/json.hpp"
#include "core/log.hpp"

namespace ide::problem {

namespace {

// The longest language id starter code may be keyed by: that of any language a catalogue
// would hold, with room to spare.
constexpr std::size_t kMaxLanguageIdBytes = 64;

core::Unexpected invalid(std::string message) {
  return core::fail(core::ErrorCode::invalid_argument, std::move(message));
}

core::Unexpected not_found() {
  return core::fail(core::ErrorCode::not_found, "No problem has this id.");
}

core::Result<void> check_limit(std::string_view field, const std::optional<std::int64_t>& value) {
  if (value && *value < 1) return invalid(fmt::format("{} must be at least 1.", field));
  return {};
}

core::Result<void> check_texts(const ProblemContent& content) {
  if (content.title.empty() || content.title.size() > kMaxTitleBytes) {
    return invalid(fmt::format("title must be 1 to {} bytes.", kMaxTitleBytes));
  }
  if (content.statement.size() > kMaxStatementBytes) {
    return invalid(fmt::format("statement must be at most {} bytes.", kMaxStatementBytes));
  }
  return {};
}

core::Result<void> check_starter_code(const std::map<std::string, std::string>& starter_code) {
  if (starter_code.size() > kMaxStarterLanguages) {
    return invalid(
        fmt::format("starter_code must have at most {} languages.", kMaxStarterLanguages));
  }
  for (const auto& [language, code] : starter_code) {
    // UTF-8: the id is a key of the JSON the stores and the internal API write.
    if (language.empty() || language.size() > kMaxLanguageIdBytes ||
        !core::json::is_valid_utf8(language)) {
      return invalid(fmt::format("starter_code's language ids must be 1 to {} bytes of UTF-8.",
                                 kMaxLanguageIdBytes));
    }
    if (code.size() > kMaxStarterCodeBytes) {
      return invalid(
          fmt::format("starter_code.{} must be at most {} bytes.", language, kMaxStarterCodeBytes));
    }
  }
  return {};
}

core::Result<void> check_tests(const std::vector<core::TestCase>& tests, std::size_t max_tests) {
  if (tests.empty() || tests.size() > max_tests) {
    return invalid(
        fmt::format("tests must have 1 to {} entries, got {}.", max_tests, tests.size()));
  }
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (tests[i].name.size() > kMaxTestNameBytes) {
      return invalid(fmt::format("tests[{}].name must be at most {} bytes.", i, kMaxTestNameBytes));
    }
    for (const auto& [field, value] :
         {std::pair{"cpu_ms", tests[i].cpu_ms}, std::pair{"wall_ms", tests[i].wall_ms}}) {
      auto checked = check_limit(fmt::format("tests[{}].{}", i, field), value);
      if (!checked) return checked;
    }
  }
  return {};
}

core::Result<void> check_run_settings(const core::RequestedLimits& limits,
                                      const core::Comparison& compare) {
  for (const auto& [field, value] :
       {std::pair{"limits.cpu_ms", limits.cpu_ms}, std::pair{"limits.wall_ms", limits.wall_ms},
        std::pair{"limits.memory_kb", limits.memory_kb}}) {
    if (auto checked = check_limit(field, value); !checked) return checked;
  }
  if (!std::isfinite(compare.epsilon) || compare.epsilon < 0 || compare.epsilon > 1) {
    return invalid("compare.epsilon must be a number between 0 and 1.");
  }
  return {};
}

/// Whether every field of `content` lies within its bounds; the first that does not, named.
core::Result<void> check_content(const ProblemContent& content, std::size_t max_tests) {
  if (auto checked = check_texts(content); !checked) return checked;
  if (auto checked = check_starter_code(content.starter_code); !checked) return checked;
  if (auto checked = check_tests(content.tests, max_tests); !checked) return checked;
  return check_run_settings(content.limits, content.compare);
}

core::Unexpected storage_failed(const std::exception& e, std::string_view what) {
  core::log::error("{} failed: {}", what, e.what());
  return core::Unexpected(core::store_error(e, "problem"));
}

}  // namespace

ProblemServiceImpl::ProblemServiceImpl(std::unique_ptr<ProblemStore> store,
                                       const core::Clock& clock, core::IdGenerator& ids,
                                       ProblemBounds bounds)
    : store_(std::move(store)), clock_(clock), ids_(ids), bounds_(bounds) {}

core::Result<std::string> ProblemServiceImpl::create(ProblemContent content) {
  if (auto valid = check_content(content, bounds_.max_tests); !valid) {
    return core::Unexpected(valid.error());
  }
  try {
    std::lock_guard lock(create_mutex_);
    if (store_->count() >= bounds_.max_problems) {
      return invalid(
          fmt::format("At most {} problems are kept: delete one first.", bounds_.max_problems));
    }
    const core::TimePoint now = clock_.now();
    Problem problem{
        .id = ids_.new_id(), .content = std::move(content), .created_at = now, .updated_at = now};
    store_->insert(problem);
    return std::move(problem.id);
  } catch (const std::exception& e) {
    return storage_failed(e, "saving a problem");
  }
}

core::Result<void> ProblemServiceImpl::replace(std::string_view id, ProblemContent content) {
  if (!core::is_well_formed_id(id)) return not_found();
  if (auto valid = check_content(content, bounds_.max_tests); !valid) return valid;
  try {
    if (!store_->update(id, content, clock_.now())) return not_found();
    return {};
  } catch (const std::exception& e) {
    return storage_failed(e, fmt::format("replacing problem {}", id));
  }
}

core::Result<Problem> ProblemServiceImpl::get(std::string_view id) {
  if (!core::is_well_formed_id(id)) return not_found();
  try {
    std::optional<Problem> problem = store_->find(id);
    if (!problem) return not_found();
    return std::move(*problem);
  } catch (const std::exception& e) {
    return storage_failed(e, fmt::format("loading problem {}", id));
  }
}

core::Result<std::vector<ProblemSummary>> ProblemServiceImpl::list() {
  try {
    return store_->list();
  } catch (const std::exception& e) {
    return storage_failed(e, "listing problems");
  }
}

core::Result<void> ProblemServiceImpl::remove(std::string_view id) {
  if (!core::is_well_formed_id(id)) return not_found();
  try {
    if (!store_->remove(id)) return not_found();
    return {};
  } catch (const std::exception& e) {
    return storage_failed(e, fmt::format("deleting problem {}", id));
  }
}

}  // namespace ide::problem
