// File: http_client.h
// A small blocking HTTP(S) client over libcurl for the database refresh (and later S3 and the
// live vendor API): redirects, timeouts, retries with exponential backoff and jitter on
// transient failures, conditional GET. TLS is always verified; a CA file may be named.
//
//   http::http_client http({.ca_file = "test-ca.pem"});
//   auto r = http.get("https://example.test/oui.csv", {.if_none_match = etag});
//   if (r && r->status == 304) use_cached();
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ouiscan/core/error.h"

namespace ouiscan::http {

struct http_options {
  std::string ca_file;     // trust this CA bundle instead of the system's
  std::string user_agent;  // sent as User-Agent
  double connect_timeout_s = 15;
  double total_timeout_s = 120;    // per attempt; 0: none
  double low_speed_window_s = 20;  // abort an attempt slower than 1 KB/s over this window
  unsigned retries = 3;            // extra attempts after a transient failure
  double backoff_s = 1.0;          // first retry delay; doubles each time, with jitter
  bool follow_redirects = true;   // S3 answers a wrong region with a redirect to report, not follow
  bool accept_compressed = true;  // ask for gzip transfer encoding (not for byte ranges)
  long receive_buffer_bytes = 0;  // libcurl's receive buffer (0: its default of 16 KiB)
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

// One request, one attempt: what the S3 client builds its own retries on.
struct http_call {
  std::string method = "GET";  // GET, HEAD, POST or PUT
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent with POST and PUT
  // Receives the body as it arrives (when set), with the reply's status already known;
  // returning false aborts the transfer.
  std::function<bool(long status, std::span<const std::byte>)> on_body;
};

struct http_reply {
  bool transport_ok = false;  // a complete response arrived (any status)
  bool timed_out = false;
  int transport_code = 0;  // libcurl's CURLcode, 0 when the transfer completed
  long status = 0;
  std::string error;                                         // the transport failure, one line
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;                                          // when the call has no on_body

  [[nodiscard]] std::string header(std::string_view lower_name) const;
};

class raw_connection;

// Keeps one libcurl handle, so that successive calls reuse the connection.
class http_session {
 public:
  explicit http_session(const http_options& options);
  ~http_session();
  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;
  [[nodiscard]] http_reply perform(const http_call& call);

  // A ranged GET whose 206 body is received from the socket straight into `out`, with no copy
  // through libcurl's buffer: libcurl connects (and speaks TLS), the request and the reply's
  // head are HTTP/1.1 handled here, on a connection kept for the next call. `received` counts
  // the body bytes written to out, whatever the outcome. Another status comes back with its
  // body as from perform(). An answer this cannot take (a 200, a chunked or unsized body, a body
  // larger than out) and a proxy set in the environment give nullopt: then perform() must make
  // the call. When `progress` returns false the connection is dropped and the reply says so.
  [[nodiscard]] std::optional<http_reply> receive_range(
      const http_call& call, std::span<std::byte> out, std::size_t& received,
      const std::function<bool(std::size_t received)>& progress);

 private:
  http_options options_;
  void* curl_;
  std::unique_ptr<raw_connection> raw_;
};

// Exponential backoff with jitter: each wait is drawn from [delay/2, delay], then doubles.
class backoff {
 public:
  explicit backoff(double first_delay_s)
      : first_(first_delay_s), delay_(first_delay_s), rng_(std::random_device{}()) {}
  void wait();
  void reset() noexcept { delay_ = first_; }  // after progress: the next wait is short again

 private:
  double first_;
  double delay_;
  std::mt19937 rng_;
};

// Sets what all our transfers share on a libcurl easy handle (protocols, redirects, timeouts,
// always-verified TLS, CA file, User-Agent), for callers that drive libcurl multi themselves.
void configure_transfer(void* curl_easy, const http_options& options);

// Whether a reply is worth another attempt: timeouts, resets, cut bodies, 429 and 5xx.
[[nodiscard]] bool is_transient(const http_reply& r) noexcept;

class http_client {
 public:
  explicit http_client(http_options options);
  // GETs a URL. 2xx and 304 are answers; 5xx, 429, timeouts, resets and cut bodies are retried;
  // other statuses fail at once.
  [[nodiscard]] core::result<http_response, http_failure> get(const std::string& url,
                                                              const http_request& request = {});

 private:
  http_options options_;
};

}  // namespace ouiscan::http
