#include "ouiscan/s3/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

namespace ouiscan::s3 {
namespace {

constexpr char hex_upper[] = "0123456789ABCDEF";
constexpr char hex_lower[] = "0123456789abcdef";

std::string to_hex(const std::uint8_t* p, std::size_t n) {
  std::string s(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = hex_lower[p[i] >> 4];
    s[2 * i + 1] = hex_lower[p[i] & 0xF];
  }
  return s;
}

using digest = std::array<std::uint8_t, 32>;

digest hmac(std::string_view key, std::string_view data) {
  digest out{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

std::string_view as_view(const digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header values are trimmed and inner runs of spaces collapse to one, as SigV4 canonicalises.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (const char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += hex_upper[c >> 4];
      out += hex_upper[c & 0xF];
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> d{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return to_hex(d.data(), d.size());
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::array<std::uint8_t, 32> signing_key(std::string_view secret, std::string_view yyyymmdd,
                                         std::string_view region, std::string_view service) {
  const std::string first = "AWS4" + std::string(secret);
  const digest k_date = hmac(first, yyyymmdd);
  const digest k_region = hmac(as_view(k_date), region);
  const digest k_service = hmac(as_view(k_region), service);
  return hmac(as_view(k_service), "aws4_request");
}

std::string canonical_query(std::vector<name_value> query) {
  for (auto& [name, value] : query) {
    name = uri_encode(name, false);
    value = uri_encode(value, false);
  }
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

signed_request sign_v4(const request_to_sign& r, const credentials& c, std::string_view region,
                       std::string_view service, std::string_view date, bool s3_headers) {
  signed_request s;
  s.headers = r.headers;
  s.headers.emplace_back("x-amz-date", std::string(date));
  if (s3_headers) s.headers.emplace_back("x-amz-content-sha256", r.payload_sha256);
  if (!c.session_token.empty()) s.headers.emplace_back("x-amz-security-token", c.session_token);

  std::vector<name_value> canonical;
  for (const auto& [name, value] : s.headers) {
    canonical.emplace_back(lower(name), canonical_value(value));
  }
  std::sort(canonical.begin(), canonical.end(),
            [](const name_value& a, const name_value& b) { return a.first < b.first; });
  std::string header_block;
  std::string signed_names;
  for (const auto& [name, value] : canonical) {
    header_block.append(name).append(1, ':').append(value).append(1, '\n');
    if (!signed_names.empty()) signed_names += ';';
    signed_names += name;
  }
  s.canonical_query = canonical_query(r.query);
  s.canonical_request = r.method + '\n' + r.canonical_uri + '\n' + s.canonical_query + '\n' +
                        header_block + '\n' + signed_names + '\n' + r.payload_sha256;

  const std::string_view day = date.substr(0, 8);
  const std::string scope =
      std::string(day) + '/' + std::string(region) + '/' + std::string(service) + "/aws4_request";
  s.string_to_sign = "AWS4-HMAC-SHA256\n" + std::string(date) + '\n' + scope + '\n' +
                     sha256_hex(s.canonical_request);
  const auto key = signing_key(c.secret_access_key, day, region, service);
  const digest sig =
      hmac({reinterpret_cast<const char*>(key.data()), key.size()}, s.string_to_sign);
  s.signature = to_hex(sig.data(), sig.size());
  s.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + c.access_key_id + '/' +
                                              scope + ", SignedHeaders=" + signed_names +
                                              ", Signature=" + s.signature);
  return s;
}

}  // namespace ouiscan::s3
