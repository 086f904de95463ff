#include "ouiscan/s3/credential_source.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ouiscan/http/http_client.h"
#include "ouiscan/text/time.h"

namespace ouiscan::s3 {
namespace {

using std::chrono::system_clock;

std::string get(const environment& env, const char* name) {
  const char* v = env(name);
  return v != nullptr ? std::string(v) : std::string();
}

bool is_true(std::string v) {
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v == "true";
}

// How long each metadata request may take and how often it is tried.
struct patience {
  double timeout_s;
  unsigned attempts;
};

patience patience_from(const environment& env, patience fallback) {
  patience p = fallback;
  const std::string t = get(env, "AWS_METADATA_SERVICE_TIMEOUT");
  const std::string n = get(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS");
  if (const double v = std::strtod(t.c_str(), nullptr); v > 0 && v <= 60) p.timeout_s = v;
  if (const long v = std::strtol(n.c_str(), nullptr, 10); v > 0 && v <= 10) {
    p.attempts = static_cast<unsigned>(v);
  }
  return p;
}

http::http_options options_for(const patience& p, const std::string& ca_file) {
  http::http_options o;
  o.ca_file = ca_file;
  o.user_agent = "ouiscan";
  o.connect_timeout_s = p.timeout_s;
  o.total_timeout_s = p.timeout_s;
  o.low_speed_window_s = p.timeout_s;
  o.follow_redirects = false;
  o.accept_compressed = false;
  return o;
}

// One call, tried `attempts` times while the failure is transient. The body of a failed reply
// is dropped unread: it may echo what was sent.
http::http_reply perform(http::http_session& session, const http::http_call& call,
                         unsigned attempts) {
  http::backoff pause(0.1);
  for (unsigned a = 1;; ++a) {
    http::http_reply r = session.perform(call);
    if ((r.transport_ok && r.status < 500 && r.status != 429) || a >= attempts) return r;
    pause.wait();
  }
}

std::string why(const http::http_reply& r) {
  return r.transport_ok ? fmt::format("HTTP {}", r.status) : r.error;
}

// scheme://host[:port] of a URL, without path or query (which may carry a secret).
std::string origin(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url.substr(0, url.find_first_of("/?"));
  const auto path = url.find_first_of("/?", scheme_end + 3);
  return url.substr(0, path);
}

std::string host_of(const std::string& url) {
  std::string host = origin(url);
  host.erase(0, host.find("://") + 3);
  if (const auto at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
  if (host.starts_with('[')) return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.find(':'));
}

// Hosts the AWS SDKs let the container endpoint be reached on over plain http.
bool trusted_http_host(const std::string& host) {
  const bool loopback_v4 = host.starts_with("127.") &&
                           std::count(host.begin(), host.end(), '.') == 3 &&
                           std::all_of(host.begin(), host.end(),
                                       [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
  return host == "localhost" || loopback_v4 || host == "[::1]" || host == "169.254.170.2" ||
         host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

std::string trim_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

credential_source::credential_source(std::string description, fetcher fetch, clock now)
    : description_(std::move(description)), fetch_(std::move(fetch)), now_(std::move(now)) {}

core::result<credentials, core::failure> credential_source::current() {
  const std::lock_guard lock(mutex_);
  const auto now = now_();
  const auto due = [&](const expiring_credentials& c) {
    return c.expiration && *c.expiration - refresh_margin <= now;
  };
  if (held_ && !due(*held_)) return held_->creds;
  auto fresh = fetch_();
  if (fresh) {
    if (fresh->expiration && *fresh->expiration <= now) {
      if (held_ && held_->expiration && *held_->expiration > now) return held_->creds;
      return core::failure{"the credentials from " + description_ + " have already expired"};
    }
    held_ = *std::move(fresh);
    return held_->creds;
  }
  if (held_ && held_->expiration && *held_->expiration > now) return held_->creds;
  return core::failure{std::move(fresh).error().message};
}

std::optional<expiring_credentials> parse_credential_document(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const simdjson::padded_string padded(json);
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return std::nullopt;
  const auto text = [&](const char* field) -> std::optional<std::string> {
    std::string_view v;
    if (doc[field].get(v) != simdjson::SUCCESS) return std::nullopt;
    return std::string(v);
  };
  if (const auto code = text("Code"); code && *code != "Success") return std::nullopt;
  expiring_credentials out;
  const auto id = text("AccessKeyId");
  const auto secret = text("SecretAccessKey");
  if (!id || !secret || id->empty() || secret->empty()) return std::nullopt;
  out.creds = {*id, *secret, text("Token").value_or("")};
  if (const auto expiration = text("Expiration")) {
    const auto ns = text::parse_time(*expiration);
    if (!ns) return std::nullopt;
    out.expiration = system_clock::time_point(
        std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds(*ns)));
  }
  return out;
}

source_result container_credentials(const environment& env, const std::string& ca_file) {
  const std::string relative = get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  std::string url = get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!relative.empty()) {
    url = "http://169.254.170.2" + (relative.starts_with('/') ? relative : "/" + relative);
  } else if (url.empty()) {
    return std::shared_ptr<credential_source>();
  } else if (!url.starts_with("https://") &&
             !(url.starts_with("http://") && trusted_http_host(host_of(url)))) {
    return core::failure{"AWS_CONTAINER_CREDENTIALS_FULL_URI (" + origin(url) +
                         ") must be https://, or http:// to a loopback or container-agent address"};
  }
  const std::string token_file = get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  const std::string token = get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
  const std::string where = "the container credentials endpoint " + origin(url);
  const patience p = patience_from(env, {2.0, 3});
  auto fetch = [url, token_file, token, where, p,
                ca_file]() -> core::result<expiring_credentials, core::failure> {
    http::http_call call;
    call.url = url;
    std::string authorization = token;
    if (!token_file.empty()) {
      std::ifstream in(token_file);
      if (!in)
        return core::failure{"cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + token_file};
      std::stringstream all;
      all << in.rdbuf();
      authorization = trim_line_end(all.str());
    }
    if (authorization.find_first_of("\r\n") != std::string::npos) {
      return core::failure{"the container authorization token holds a line break"};
    }
    if (!authorization.empty()) call.headers.emplace_back("Authorization", authorization);
    http::http_session session(options_for(p, ca_file));
    const http::http_reply r = perform(session, call, p.attempts);
    if (!r.transport_ok || r.status != 200) return core::failure{where + ": " + why(r)};
    auto doc = parse_credential_document(r.body);
    if (!doc) return core::failure{where + " answered without usable credentials"};
    return *std::move(doc);
  };
  return std::make_shared<credential_source>(where, std::move(fetch));
}

source_result instance_credentials(const environment& env) {
  if (is_true(get(env, "AWS_EC2_METADATA_DISABLED"))) return std::shared_ptr<credential_source>();
  std::string endpoint = get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) {
    std::string mode = get(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    std::transform(mode.begin(), mode.end(), mode.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    endpoint = mode == "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
  }
  if (!endpoint.starts_with("http://") && !endpoint.starts_with("https://")) {
    return core::failure{"AWS_EC2_METADATA_SERVICE_ENDPOINT '" + origin(endpoint) +
                         "' must start with http:// or https://"};
  }
  while (endpoint.ends_with('/')) endpoint.pop_back();
  const std::string where = "instance metadata at " + origin(endpoint);
  const patience p = patience_from(env, {1.0, 1});
  auto fetch = [endpoint, where, p]() -> core::result<expiring_credentials, core::failure> {
    http::http_session session(options_for(p, {}));
    // IMDSv2: a session token first (six hours, the longest allowed), sent with each request.
    http::http_call put;
    put.method = "PUT";
    put.url = endpoint + "/latest/api/token";
    put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
    const http::http_reply t = perform(session, put, p.attempts);
    if (!t.transport_ok || t.status != 200 || t.body.empty()) {
      return core::failure{where + ": no IMDSv2 session token (" + why(t) + ")"};
    }
    const std::string session_token = trim_line_end(t.body);
    const auto get_path = [&](const std::string& path) {
      http::http_call call;
      call.url = endpoint + path;
      call.headers = {{"X-aws-ec2-metadata-token", session_token}};
      return perform(session, call, p.attempts);
    };
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    const http::http_reply roles = get_path(base);
    if (roles.transport_ok && roles.status == 404) {
      return core::failure{where + ": this instance has no IAM role"};
    }
    if (!roles.transport_ok || roles.status != 200) {
      return core::failure{where + ": listing the instance's role: " + why(roles)};
    }
    const std::string role = trim_line_end(roles.body.substr(0, roles.body.find('\n')));
    const bool plain = std::all_of(role.begin(), role.end(), [](char c) {
      return c > ' ' && c < 0x7f && c != '/' && c != '?' && c != '#' && c != '%';
    });
    if (role.empty() || !plain) {
      return core::failure{where + " named no usable role"};
    }
    const http::http_reply doc_reply = get_path(base + role);
    if (!doc_reply.transport_ok || doc_reply.status != 200) {
      return core::failure{where + ": role " + role + ": " + why(doc_reply)};
    }
    auto doc = parse_credential_document(doc_reply.body);
    if (!doc) return core::failure{where + ": role " + role + " has no usable credentials"};
    return *std::move(doc);
  };
  return std::make_shared<credential_source>(where, std::move(fetch));
}

}  // namespace ouiscan::s3
