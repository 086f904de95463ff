// File: client.h
// The few S3 calls a scan needs, signed with our SigV4: HEAD an object, list a prefix
// (ListObjectsV2 with continuation), and GET a byte range pinned to an ETag, with retries that
// resume a broken range where it stopped. Every failure is one line naming bucket and key.
//
//   s3::client c(settings);
//   auto info = c.head({"captures", "edge.pcapng"});
//   http::http_session session(c.http_options());
//   auto got = c.get_range(session, loc, info.etag, 0, buffer);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ouiscan/core/error.h"
#include "ouiscan/http/http_client.h"
#include "ouiscan/s3/config.h"

namespace ouiscan::s3 {

struct object_info {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  // with its quotes, as S3 sends it
};

enum class failure_kind : std::uint8_t {
  denied,        // 403: credentials or permissions
  not_found,     // 404: no such bucket or key
  changed,       // 412: the object was replaced since its HEAD
  wrong_region,  // the bucket lives in another region
  too_large,     // bigger than --max-bytes
  bad_response,  // an answer we cannot read
  unavailable,   // 5xx, throttling, resets or timeouts after every retry
  stopped,       // the caller's progress callback asked to stop
};

struct failure {
  failure_kind kind = failure_kind::unavailable;
  long status = 0;
  std::string message;  // one line, starting with the s3:// URI; never holds a secret
};

struct list_page {
  std::vector<object_info> objects;
  bool truncated = false;
  std::string next_token;
};

// Parses a ListObjectsV2 answer; nullopt when it is not one.
[[nodiscard]] std::optional<list_page> parse_list_page(std::string_view xml);
// Code and Message of an S3 error document (empty when absent).
[[nodiscard]] std::pair<std::string, std::string> parse_error(std::string_view xml);

class client {
 public:
  explicit client(settings s);

  [[nodiscard]] const settings& config() const noexcept { return settings_; }
  [[nodiscard]] http::http_options http_options() const;

  [[nodiscard]] core::result<object_info, failure> head(const location& loc);
  // Every object under loc.key (a prefix), in key order.
  [[nodiscard]] core::result<std::vector<object_info>, failure> list(const location& loc);
  // Writes an object (a result file): one PUT with the body's SHA-256 signed, retried. The
  // value is the object's s3:// address.
  [[nodiscard]] core::result<std::string, failure> put(const location& loc, const std::string& body,
                                                       const std::string& content_type);
  // Fills `out` with the object's bytes from `first`, sent only while the ETag still matches.
  // `progress`, when set, is told how many leading bytes of `out` are filled as they arrive
  // (never fewer than before: a retry resumes where the broken reply stopped); when it returns
  // false the transfer stops at once, with failure_kind::stopped.
  [[nodiscard]] std::optional<failure> get_range(
      http::http_session& session, const location& loc, const std::string& etag,
      std::uint64_t first, std::span<std::byte> out,
      const std::function<bool(std::size_t)>& progress = {});

 private:
  struct target {
    std::string url;
    std::string host;
    std::string canonical_uri;
  };
  [[nodiscard]] target target_for(const location& loc) const;
  // Fails only when temporary credentials could not be renewed.
  [[nodiscard]] core::result<http::http_call, failure> signed_call(
      const std::string& method, const location& loc, const std::vector<name_value>& query,
      std::vector<name_value> headers,
      const std::string& payload_sha256 = std::string(empty_payload_sha256)) const;
  [[nodiscard]] failure describe(const location& loc, const http::http_reply& reply,
                                 std::string_view body) const;

  settings settings_;
};

}  // namespace ouiscan::s3
