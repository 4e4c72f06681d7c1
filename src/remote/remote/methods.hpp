// The server side of the internal API: each module's methods as functions from the JSON
// arguments to the JSON answer, over the module's public interface. The http layer routes
// POST /internal/v1/<module>/<method> to them (src/http/http/internal_routes.cpp).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "access/access_service.hpp"
#include "core/error.hpp"
#include "problem/problem_service.hpp"
#include "remote/transport.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::remote {

/// One method: `call` decodes its arguments, calls the service and encodes the answer. It may
/// block on the service. Errors: the service's; invalid_argument for malformed arguments.
struct Method {
  std::string name;
  std::function<core::Result<boost::json::value>(const boost::json::object& args)> call;
};

/// Every method of SubmissionService; `service` must outlive them.
std::vector<Method> submission_methods(submission::SubmissionService& service);
/// Every method of ResultService but watch_result, which answers asynchronously (watch_args).
std::vector<Method> result_methods(result::ResultService& service);
/// Every method of UrlService.
std::vector<Method> url_methods(url::UrlService& service);
/// Every method of ProblemService.
std::vector<Method> problem_methods(problem::ProblemService& service);
/// Every method of AccessService.
std::vector<Method> access_methods(access::AccessService& service);

/// The arguments of result/watch_result.
struct WatchArgs {
  std::string id;
  std::chrono::milliseconds wait{0};
};
/// Errors: invalid_argument (no id, or wait_ms not within 0 and kMaxWatch).
core::Result<WatchArgs> watch_args(const boost::json::object& args);
/// The JSON of `run`: what watch_result answers.
boost::json::value run_result_to_json(const result::RunResult& run);

}  // namespace ide::remote
