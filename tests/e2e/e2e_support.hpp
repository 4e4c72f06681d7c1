// HTTP helpers of the end-to-end tests: the CLI's own client against a real `ide serve`.
#pragma once

#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "http/http_client.hpp"

namespace ide::test {

class Api {
 public:
  explicit Api(const std::string& url) : client_(*http::HttpClient::create(url)) {}

  http::ClientResponse get(const std::string& target) {
    auto answer = client_.get(target, std::chrono::seconds(60));
    if (!answer) FAIL("GET " << target << ": " << answer.error().message);
    return std::move(*answer);
  }
  http::ClientResponse post(const std::string& target, const std::string& body) {
    return send(http::Verb::post, target, body);
  }
  http::ClientResponse send(http::Verb method, const std::string& target,
                            const std::string& body = "") {
    auto answer = client_.request(method, target, body, std::chrono::seconds(60));
    if (!answer) FAIL(target << ": " << answer.error().message);
    return std::move(*answer);
  }
  /// Sends `Authorization: Bearer <token>` from now on.
  void use_token(std::string token) { client_.set_bearer_token(std::move(token)); }

  /// Submits and returns the id (the answer must be 202).
  std::string submit(const std::string& language, const std::string& code,
                     const std::string& stdin_data = "") {
    boost::json::object body{{"language", language}, {"code", code}, {"stdin", stdin_data}};
    auto answer = post("/api/v1/submissions", boost::json::serialize(body));
    INFO(answer.body);
    REQUIRE(answer.status == 202);
    return std::string(boost::json::parse(answer.body).at("id").as_string());
  }

  /// Long-polls until the submission is done; its result object.
  boost::json::object wait_done(const std::string& id) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      auto answer = get("/api/v1/submissions/" + id + "/result?wait_ms=30000");
      INFO(answer.body);
      REQUIRE(answer.status == 200);
      auto body = boost::json::parse(answer.body).as_object();
      if (body.at("status") == "done") return body;
    }
    FAIL("submission " << id << " did not finish in 5 minutes");
    return {};
  }

 private:
  http::HttpClient client_;
};

inline std::string str(const boost::json::value& value) {
  return value.is_string() ? std::string(value.get_string()) : std::string("<not a string>");
}

inline std::string error_code(const http::ClientResponse& answer) {
  boost::system::error_code ec;
  auto value = boost::json::parse(answer.body, ec);
  if (ec || !value.is_object() || !value.as_object().contains("error")) return "";
  return str(value.at("error").at("code"));
}

}  // namespace ide::test
