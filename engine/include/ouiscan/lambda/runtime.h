// File: runtime.h
// The Lambda Runtime API (AWS_LAMBDA_RUNTIME_API) as a custom runtime speaks it: wait for the
// next invocation, then post its response or its error; report an initialisation error.
//
//   lambda::runtime_api api(std::getenv("AWS_LAMBDA_RUNTIME_API"));
//   lambda::serve(api, handler, [](std::string_view line) { puts(line); });
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ouiscan/http/http_client.h"

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
  // Each returns the API's HTTP status (202 when accepted), 0 when it could not be reached.
  long respond(const std::string& request_id, std::string body);
  long fail(const std::string& request_id, std::string_view error_type, std::string_view message,
            std::string_view extra_json_fields = {});
  long init_error(std::string_view error_type, std::string_view message);

 private:
  long post(const std::string& path, std::string body, std::string_view error_type = {});
  std::string base_;
  http::http_session session_;
};

class handler;

// Serves invocations until the Runtime API stops answering: each is handled, its log lines
// passed to `log`, its answer posted. A response the API refuses (over its size limit, or an
// invocation already gone) is logged and answered as a ResponseRejected error instead, so that
// the invocation ends now rather than at its timeout.
void serve(runtime_api& api, handler& h, const std::function<void(std::string_view)>& log);

// {"errorMessage": ..., "errorType": ...} plus extra fields (already JSON, starting with ',').
[[nodiscard]] std::string error_json(std::string_view type, std::string_view message,
                                     std::string_view extra_json_fields = {});

}  // namespace ouiscan::lambda
