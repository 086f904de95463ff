// File: sigv4.h
// AWS Signature Version 4 for S3 requests, computed with OpenSSL's SHA-256 and HMAC. Our own
// rather than libcurl's CURLOPT_AWS_SIGV4, which in Debian 12's 7.88 omits
// x-amz-content-sha256, signs the query string verbatim and fails on keys containing '='.
//
//   s3::request_to_sign r{.method = "GET", .canonical_uri = "/bucket/a%20b.pcap",
//                         .headers = {{"host", "127.0.0.1:9000"}, {"range", "bytes=0-9"}}};
//   auto s = s3::sign_v4(r, creds, "us-east-1", "s3", s3::amz_date(now));
//   add_header("Authorization: " + s.authorization);
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ouiscan::s3 {

struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (as inside Lambda); "" for long-term keys
};

// SHA-256 of the empty body, the payload hash of every GET, HEAD and listing.
inline constexpr std::string_view empty_payload_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Percent-encodes every byte except A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash), with
// upper-case hex: the encoding SigV4 canonicalises to, and the one S3 paths are sent in.
[[nodiscard]] std::string uri_encode(std::string_view s, bool keep_slash);
[[nodiscard]] std::string sha256_hex(std::string_view data);
// "20130524T000000Z"
[[nodiscard]] std::string amz_date(std::chrono::system_clock::time_point t);
// The derived key kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
// "aws4_request").
[[nodiscard]] std::array<std::uint8_t, 32> signing_key(std::string_view secret,
                                                       std::string_view yyyymmdd,
                                                       std::string_view region,
                                                       std::string_view service);

using name_value = std::pair<std::string, std::string>;

struct request_to_sign {
  std::string method;
  std::string canonical_uri;        // the path as sent: already percent-encoded
  std::vector<name_value> query;    // raw names and values; encoded and sorted when signed
  std::vector<name_value> headers;  // any case; must include host (x-amz-* are added by sign_v4)
  std::string payload_sha256 = std::string(empty_payload_sha256);
};

struct signed_request {
  std::vector<name_value> headers;  // to send: the request's own, x-amz-date,
                                    // x-amz-content-sha256, x-amz-security-token, Authorization
  std::string canonical_query;      // the query string to send (same encoding as signed)
  std::string canonical_request;    // for tests and debugging; holds no secret
  std::string string_to_sign;
  std::string signature;  // hex
};

// Signs for `service` in `region` at `date` (amz_date format). With s3_headers, adds
// x-amz-content-sha256 (S3 requires it); the generic SigV4 test suite signs without it.
[[nodiscard]] signed_request sign_v4(const request_to_sign& r, const credentials& c,
                                     std::string_view region, std::string_view service,
                                     std::string_view date, bool s3_headers = true);

// Query string in canonical form: names and values encoded, sorted by name then value.
[[nodiscard]] std::string canonical_query(std::vector<name_value> query);

}  // namespace ouiscan::s3
