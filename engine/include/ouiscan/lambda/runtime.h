// File: runtime.h
// The Lambda Runtime API (AWS_LAMBDA_RUNTIME_API) as a custom runtime speaks it: wait for the
// next invocation, then post its response or its error; report an initialisation error.
//
//   lambda::runtime_api api(std::getenv("AWS_LAMBDA_RUNTIME_API"));
//   while (auto inv = api.next()) api.respond(inv->request_id, handle(inv->body));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ouiscan/io/http_client.h"

namespace ouiscan::lambda {

struct invocation {
  std::string request_id;
  std::int64_t deadline_ms = 0;  // Unix time in milliseconds; 0 when not given
  std::string body;
};

class runtime_api {
 public:
  explicit runtime_api(std::string host_port);

  // Blocks until the next invocation; nullopt when the API cannot be reached (after retries).
  [[nodiscard]] std::optional<invocation> next();
  bool respond(const std::string& request_id, std::string body);
  bool fail(const std::string& request_id, std::string_view error_type, std::string_view message,
            std::string_view extra_json_fields = {});
  bool init_error(std::string_view error_type, std::string_view message);

 private:
  bool post(const std::string& path, std::string body, std::string_view error_type = {});
  std::string base_;
  io::http_session session_;
};

// {"errorMessage": ..., "errorType": ...} plus extra fields (already JSON, starting with ',').
[[nodiscard]] std::string error_json(std::string_view type, std::string_view message,
                                     std::string_view extra_json_fields = {});

}  // namespace ouiscan::lambda
