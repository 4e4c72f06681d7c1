// The internal API of a split deployment (docs/DEPLOYMENT.md 2.2): POST
// /internal/v1/<module>/<method> for the modules this process hosts, so that the others' remote
// clients (src/remote) can call them. Never meant for the public: the token guards it.
#pragma once

#include <string>

#include "access/access_service.hpp"
#include "http/router.hpp"
#include "problem/problem_service.hpp"
#include "result/result_service.hpp"
#include "submission/submission_service.hpp"
#include "url/url_service.hpp"

namespace ide::http {

/// The modules a process hosts; null for one it does not (its routes are then absent: 404).
struct HostedServices {
  submission::SubmissionService* submissions = nullptr;
  result::ResultService* results = nullptr;
  url::UrlService* urls = nullptr;
  problem::ProblemService* problems = nullptr;
  access::AccessService* access = nullptr;
};

/// Registers every method of every module in `hosted`. A request without `Authorization: Bearer
/// <token>` is answered 401 unauthorized; every answer carries `Ide-Internal: v1`. Registers
/// nothing when `token` is empty. watch_result waits like the public long poll, holding no
/// thread. The services must outlive the router.
void add_internal_routes(Router& router, const HostedServices& hosted, const std::string& token);

}  // namespace ide::http
