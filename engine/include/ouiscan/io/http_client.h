// File: http_client.h
// A small blocking HTTP(S) client over libcurl for the database refresh (and later S3 and the
// live vendor API): redirects, timeouts, retries with exponential backoff and jitter on
// transient failures, conditional GET. TLS is always verified; a CA file may be named.
//
//   io::http_client http({.ca_file = "test-ca.pem"});
//   auto r = http.get("https://example.test/oui.csv", {.if_none_match = etag});
//   if (r && r->status == 304) use_cached();
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace ouiscan::io {

struct http_options {
  std::string ca_file;     // trust this CA bundle instead of the system's
  std::string user_agent;  // sent as User-Agent
  double connect_timeout_s = 15;
  double total_timeout_s = 120;    // per attempt
  double low_speed_window_s = 20;  // abort an attempt slower than 1 KB/s over this window
  unsigned retries = 3;            // extra attempts after a transient failure
  double backoff_s = 1.0;          // first retry delay; doubles each time, with jitter
};

struct http_request {
  std::string if_none_match;      // ETag from an earlier response
  std::string if_modified_since;  // Last-Modified from an earlier response
};

struct http_response {
  long status = 0;
  std::string body;
  std::string etag;
  std::string last_modified;
};

struct http_failure {
  long status = 0;      // the last HTTP status, 0 when no response came
  std::string message;  // one line: what went wrong on the last attempt
  unsigned attempts = 0;
};

class http_client {
 public:
  explicit http_client(http_options options);
  // GETs a URL. 2xx and 304 are answers; 5xx, 429, timeouts, resets and cut bodies are retried;
  // other statuses fail at once.
  [[nodiscard]] std::variant<http_response, http_failure> get(const std::string& url,
                                                              const http_request& request = {});

 private:
  http_options options_;
};

}  // namespace ouiscan::io
