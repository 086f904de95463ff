// File: handler.h
// One Lambda invocation: the S3 objects its event names are streamed (no /tmp copy) and
// scanned, each into its own inventory; the answer is one JSON document within Lambda's 6 MB
// response limit (address lists dropped, and said so, when larger), plus one structured log
// line per object. A bad event, a missing, refused, oversized or damaged object makes an error
// answer with a clear errorType; the deadline makes a partial answer that says so.
//
//   lambda::handler h(settings, db);
//   lambda::answer a = h.handle(invocation);
//   a.is_error ? api.fail(id, a.error_type, a.error_message, a.body) : api.respond(id, a.body);
//   (lambda::serve in runtime.h runs that loop.)
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/lambda/runtime.h"
#include "ouiscan/ouidb/database.h"
#include "ouiscan/s3/config.h"

namespace ouiscan::lambda {

struct handler_settings {
  s3::settings s3;
  std::string output_uri;  // OUISCAN_OUTPUT_URI: s3://bucket/prefix/ for the full results, or ""
  std::size_t response_limit = 6 * 1024 * 1024 - 64 * 1024;  // Lambda's 6 MB, with headroom
  std::int64_t deadline_margin_ms = 2000;  // stop reading this long before the deadline
  unsigned threads = 0;
};

struct answer {
  bool is_error = false;
  std::string error_type;
  std::string error_message;
  std::string body;  // the response, or for an error the extra JSON fields (",\"objects\":[...]")
  std::vector<std::string> log_lines;  // one JSON object per line, for CloudWatch
};

class handler {
 public:
  handler(handler_settings settings, const ouidb::database* db);
  [[nodiscard]] answer handle(const invocation& inv);

 private:
  handler_settings settings_;
  const ouidb::database* db_;
};

// Reads handler_settings from the environment the way the function is configured:
// OUISCAN_OUTPUT_URI, OUISCAN_MAX_BYTES, OUISCAN_DEADLINE_MARGIN_MS, OUISCAN_CA_FILE (default:
// the CA bundle shipped in the package, $LAMBDA_TASK_ROOT/ca-bundle.crt), and the AWS_* settings.
[[nodiscard]] core::result<handler_settings, core::failure> settings_from_environment(
    const s3::environment& env);

}  // namespace ouiscan::lambda
