// File: config.h
// Where an S3 object is and how to reach it: s3:// URIs, and the credentials, region and
// endpoint found the way the AWS CLI finds them (environment, then ~/.aws/credentials and
// ~/.aws/config under AWS_PROFILE), with command-line overrides on top.
//
//   auto loc = s3::parse_uri("s3://captures/2026/11/edge.pcapng");
//   auto cfg = s3::resolve({.endpoint = "http://127.0.0.1:9000"}, s3::system_environment);
//   if (const std::string* why = cfg ? nullptr : &cfg.error().message) fail(*why);
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ouiscan/core/error.h"
#include "ouiscan/s3/sigv4.h"

namespace ouiscan::s3 {

class credential_source;  // credential_source.h

struct location {
  std::string bucket;
  std::string key;  // "" or ending in '/': a prefix to list

  [[nodiscard]] bool is_prefix() const noexcept { return key.empty() || key.back() == '/'; }
  [[nodiscard]] std::string uri() const { return "s3://" + bucket + "/" + key; }
};

// "s3://bucket/key" or "s3://bucket/prefix/" or "s3://bucket"; nullopt when not an s3 URI or
// the bucket name is empty.
[[nodiscard]] std::optional<location> parse_uri(std::string_view uri);
[[nodiscard]] inline bool is_s3_uri(std::string_view s) noexcept { return s.starts_with("s3://"); }

// What the command line may set; empty fields and zeros mean "not given".
struct overrides {
  std::string endpoint;  // --s3-endpoint
  std::string region;    // --s3-region
  std::string ca_file;   // --ca-file
  std::uint64_t max_bytes = 0;
  std::uint64_t part_bytes = 0;
  unsigned parts_in_flight = 0;
  bool no_sign_request = false;  // --no-sign-request: public buckets, no credentials looked for
};

struct settings {
  credentials creds;
  // Set when the credentials come from an endpoint (container, instance metadata): creds then
  // holds what it gave first, and the client asks it for current ones at each request.
  std::shared_ptr<credential_source> source;
  bool anonymous = false;       // --no-sign-request: requests go unsigned
  std::string profile;          // which profile of the shared files was read
  std::string region;           // never empty (us-east-1 when nothing says otherwise)
  std::string endpoint;         // scheme://host[:port], without a trailing slash
  bool path_style = false;      // custom endpoints: http://host/bucket/key
  std::string ca_file;          // trust this CA bundle (tests, private endpoints)
  std::uint64_t max_bytes = 0;  // 0: no limit; otherwise larger objects are refused before GET
  // Chosen by bench/s3_compare.sh (docs/performance.md): on loopback more parts only contend.
  std::uint64_t part_bytes = 16U << 20;
  unsigned parts_in_flight = 4;
  unsigned retries = 5;    // extra attempts per request on 5xx, 429, resets, timeouts
  double backoff_s = 0.2;  // first retry delay (doubles, with jitter)
  double timeout_s = 60;   // per request attempt
  // Reading an object stops here (errc::stopped), even while a part is still on its way: how
  // a Lambda invocation keeps its deadline. Unset: no limit.
  std::optional<std::chrono::system_clock::time_point> stop_at;
};

using environment = std::function<const char*(const char*)>;
// std::getenv.
[[nodiscard]] const char* system_environment(const char* name);

// Parses "20GiB", "512MB", "1.5G", "1000" (bytes); nullopt when malformed.
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text);

// Resolves settings: overrides, then AWS_* variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, OUISCAN_MAX_BYTES,
// OUISCAN_S3_PART_BYTES, OUISCAN_S3_PARTS), then the shared files, then (as the AWS CLI) the
// container credentials endpoint and the instance metadata service (credential_source.h),
// fetched once here so that a failure shows before any work. Missing credentials are an
// error, in one line that names where they were looked for and holds no secret.
[[nodiscard]] core::result<settings, core::failure> resolve(const overrides& o,
                                                            const environment& env);

}  // namespace ouiscan::s3
