#include "ouiscan/s3/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "ouiscan/s3/credential_source.h"
#include "ouiscan/text/entities.h"

namespace ouiscan::s3 {
namespace {

// The text between <tag> and </tag> at or after `from`; npos-safe.
std::optional<std::string_view> element(std::string_view xml, std::string_view tag,
                                        std::size_t& from) {
  const std::string open = fmt::format("<{}>", tag);
  const std::string close = fmt::format("</{}>", tag);
  const auto a = xml.find(open, from);
  if (a == std::string_view::npos) return std::nullopt;
  const auto b = xml.find(close, a + open.size());
  if (b == std::string_view::npos) return std::nullopt;
  from = b + close.size();
  return xml.substr(a + open.size(), b - a - open.size());
}

std::optional<std::string_view> first_element(std::string_view xml, std::string_view tag) {
  std::size_t from = 0;
  return element(xml, tag, from);
}

std::string one_line(std::string_view s) {
  std::string out;
  for (const char c : s.substr(0, 200)) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

}  // namespace

std::optional<list_page> parse_list_page(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) return std::nullopt;
  list_page page;
  std::size_t from = 0;
  while (auto contents = element(xml, "Contents", from)) {
    object_info o;
    const auto key = first_element(*contents, "Key");
    const auto size = first_element(*contents, "Size");
    if (!key || !size) return std::nullopt;
    o.key = text::decode_entities(*key);
    const std::string size_text(*size);
    char* end = nullptr;
    o.size = std::strtoull(size_text.c_str(), &end, 10);
    if (size_text.empty() || end != size_text.c_str() + size_text.size()) return std::nullopt;
    if (const auto etag = first_element(*contents, "ETag")) o.etag = text::decode_entities(*etag);
    page.objects.push_back(std::move(o));
  }
  const auto truncated = first_element(xml, "IsTruncated");
  page.truncated = truncated && *truncated == "true";
  if (const auto token = first_element(xml, "NextContinuationToken")) {
    page.next_token = text::decode_entities(*token);
  }
  if (page.truncated && page.next_token.empty()) return std::nullopt;  // cannot go on
  return page;
}

std::pair<std::string, std::string> parse_error(std::string_view xml) {
  const auto code = first_element(xml, "Code");
  const auto message = first_element(xml, "Message");
  return {code ? text::decode_entities(*code) : std::string(),
          message ? text::decode_entities(*message) : std::string()};
}

client::client(settings s) : settings_(std::move(s)) {}

http::http_options client::http_options() const {
  http::http_options o;
  o.ca_file = settings_.ca_file;
  o.user_agent = "ouiscan";
  o.total_timeout_s = settings_.timeout_s;
  o.connect_timeout_s = std::min(settings_.timeout_s, 10.0);
  o.low_speed_window_s = std::min(settings_.timeout_s, 20.0);
  o.follow_redirects = false;
  o.accept_compressed = false;
  o.receive_buffer_bytes = 512 * 1024;  // fewer, larger reads for multi-megabyte parts
  return o;
}

client::target client::target_for(const location& loc) const {
  target t;
  const std::string key_path = uri_encode(loc.key, true);
  std::string base;
  const bool path_style = settings_.path_style || loc.bucket.find('.') != std::string::npos;
  if (!settings_.endpoint.empty()) {
    base = settings_.endpoint;
  } else if (path_style) {
    base = fmt::format("https://s3.{}.amazonaws.com", settings_.region);
  } else {
    base = fmt::format("https://{}.s3.{}.amazonaws.com", loc.bucket, settings_.region);
  }
  const auto scheme_end = base.find("://") + 3;
  t.host = base.substr(scheme_end);
  // An explicit default port is not what a client sends in Host.
  if (base.starts_with("https://") && t.host.ends_with(":443")) t.host.resize(t.host.size() - 4);
  if (base.starts_with("http://") && t.host.ends_with(":80")) t.host.resize(t.host.size() - 3);
  if (const auto slash = t.host.find('/'); slash != std::string::npos) t.host.resize(slash);
  t.canonical_uri = path_style ? fmt::format("/{}/{}", uri_encode(loc.bucket, false), key_path)
                               : fmt::format("/{}", key_path);
  t.url = base.substr(0, scheme_end) + t.host + t.canonical_uri;
  return t;
}

core::result<http::http_call, failure> client::signed_call(
    const std::string& method, const location& loc, const std::vector<name_value>& query,
    std::vector<name_value> headers, const std::string& payload_sha256) const {
  const target t = target_for(loc);
  headers.insert(headers.begin(), {"Host", t.host});
  request_to_sign r{method, t.canonical_uri, query, std::move(headers), payload_sha256};
  credentials creds = settings_.creds;
  if (settings_.source) {  // temporary credentials, renewed before they expire
    auto now = settings_.source->current();
    if (!now) return failure{failure_kind::denied, 0, loc.uri() + ": " + now.error().message};
    creds = *std::move(now);
  }
  const signed_request s =
      sign_v4(r, creds, settings_.region, "s3", amz_date(std::chrono::system_clock::now()));
  http::http_call call;
  call.method = method;
  call.url = t.url + (s.canonical_query.empty() ? "" : "?" + s.canonical_query);
  call.headers = s.headers;
  if (settings_.anonymous) {  // --no-sign-request: the same request without its signature
    std::erase_if(call.headers, [](const name_value& h) {
      return h.first == "Authorization" || h.first == "x-amz-security-token";
    });
  }
  return call;
}

failure client::describe(const location& loc, const http::http_reply& reply,
                         std::string_view body) const {
  failure f;
  f.status = reply.transport_ok ? reply.status : 0;
  const std::string where = loc.uri();
  if (!reply.transport_ok) {
    f.kind = failure_kind::unavailable;
    f.message = fmt::format("{}: {}", where, one_line(reply.error));
    return f;
  }
  const auto [code, text] = parse_error(body);
  const std::string detail =
      code.empty() ? std::string()
                   : fmt::format(" {}{}{}", code, text.empty() ? "" : ": ", one_line(text));
  const std::string region = reply.header("x-amz-bucket-region");
  if (reply.status == 301 || code == "PermanentRedirect" ||
      code == "AuthorizationHeaderMalformed" ||
      (!region.empty() && region != settings_.region && reply.status == 400)) {
    f.kind = failure_kind::wrong_region;
    f.message = region.empty()
                    ? fmt::format("{}: the bucket is not in region {} (HTTP {}{}); set AWS_REGION",
                                  where, settings_.region, reply.status, detail)
                    : fmt::format("{}: the bucket is in region {}, not {}; set AWS_REGION={}",
                                  where, region, settings_.region, region);
    return f;
  }
  switch (reply.status) {
    case 403:
      f.kind = failure_kind::denied;
      f.message = fmt::format(
          "{}: access denied (HTTP 403{}); check the credentials of {}{}", where, detail,
          settings_.creds.access_key_id.empty() ? std::string("(none)")
                                                : "key id " + settings_.creds.access_key_id,
          settings_.source ? " from " + settings_.source->description() : std::string());
      break;
    case 404:
      f.kind = failure_kind::not_found;
      f.message = fmt::format("{}: not found (HTTP 404{})", where,
                              detail.empty() ? " no such bucket or key" : detail);
      break;
    case 412:
      f.kind = failure_kind::changed;
      f.message = fmt::format(
          "{}: the object changed during the scan (its ETag no longer matches; HTTP 412)", where);
      break;
    default:
      f.kind = http::is_transient(reply) ? failure_kind::unavailable : failure_kind::bad_response;
      f.message = fmt::format("{}: HTTP {}{}", where, reply.status, detail);
  }
  return f;
}

core::result<object_info, failure> client::head(const location& loc) {
  http::http_session session(http_options());
  http::backoff pause(settings_.backoff_s);
  for (unsigned attempt = 0;; ++attempt) {
    auto call = signed_call("HEAD", loc, {}, {});
    if (!call) return std::move(call).error();
    const http::http_reply reply = session.perform(*call);
    if (reply.transport_ok && reply.status >= 200 && reply.status < 300) {
      object_info info;
      info.key = loc.key;
      info.etag = reply.header("etag");
      const std::string length = reply.header("content-length");
      char* end = nullptr;
      info.size = std::strtoull(length.c_str(), &end, 10);
      if (length.empty() || end != length.c_str() + length.size()) {
        return failure{failure_kind::bad_response, reply.status,
                       loc.uri() + ": HEAD answered without a Content-Length"};
      }
      return info;
    }
    if (!http::is_transient(reply) || attempt >= settings_.retries) {
      failure f = describe(loc, reply, reply.body);
      if (f.kind == failure_kind::unavailable) {
        f.message += fmt::format(" (after {} attempts)", attempt + 1);
      }
      return f;
    }
    pause.wait();
  }
}

core::result<std::vector<object_info>, failure> client::list(const location& loc) {
  http::http_session session(http_options());
  std::vector<object_info> all;
  std::string token;
  const location bucket_only{loc.bucket, ""};
  do {
    std::vector<name_value> query = {{"list-type", "2"}, {"prefix", loc.key}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    http::backoff pause(settings_.backoff_s);
    for (unsigned attempt = 0;; ++attempt) {
      auto call = signed_call("GET", bucket_only, query, {});
      if (!call) return std::move(call).error();
      const http::http_reply reply = session.perform(*call);
      if (reply.transport_ok && reply.status == 200) {
        auto page = parse_list_page(reply.body);
        if (!page) {
          return failure{failure_kind::bad_response, reply.status,
                         loc.uri() + ": the listing is not a ListObjectsV2 answer"};
        }
        for (auto& o : page->objects) all.push_back(std::move(o));
        token = page->truncated ? page->next_token : std::string();
        break;
      }
      if (!http::is_transient(reply) || attempt >= settings_.retries) {
        return describe(loc, reply, reply.body);
      }
      pause.wait();
    }
  } while (!token.empty());
  return all;
}

core::result<std::string, failure> client::put(const location& loc, const std::string& body,
                                               const std::string& content_type) {
  http::http_session session(http_options());
  http::backoff pause(settings_.backoff_s);
  const std::string hash = sha256_hex(body);
  for (unsigned attempt = 0;; ++attempt) {
    auto call = signed_call("PUT", loc, {}, {{"Content-Type", content_type}}, hash);
    if (!call) return std::move(call).error();
    call->body = body;
    const http::http_reply reply = session.perform(*call);
    if (reply.transport_ok && reply.status >= 200 && reply.status < 300) return loc.uri();
    if (!http::is_transient(reply) || attempt >= settings_.retries) {
      return describe(loc, reply, reply.body);
    }
    pause.wait();
  }
}

std::optional<failure> client::get_range(http::http_session& session, const location& loc,
                                         const std::string& etag, std::uint64_t first,
                                         std::span<std::byte> out,
                                         const std::function<bool(std::size_t)>& progress) {
  std::size_t got = 0;
  unsigned failures_in_a_row = 0;
  http::backoff pause(settings_.backoff_s);
  while (got < out.size()) {
    const std::uint64_t from = first + got;
    const std::uint64_t last = first + out.size() - 1;
    std::vector<name_value> headers = {{"Range", fmt::format("bytes={}-{}", from, last)}};
    if (!etag.empty()) headers.emplace_back("If-Match", etag);
    auto signed_get = signed_call("GET", loc, {}, std::move(headers));
    if (!signed_get) return std::move(signed_get).error();
    http::http_call& call = *signed_get;
    std::string error_body;
    bool stopped = false;        // by the caller's progress callback
    std::uint64_t position = 0;  // offset in the object of the next byte of this reply
    bool position_known = false;
    const std::size_t got_before = got;
    call.on_body = [&](long status, std::span<const std::byte> data) {
      if (status != 200 && status != 206) {
        if (error_body.size() < 64 * 1024) {
          error_body.append(reinterpret_cast<const char*>(data.data()), data.size());
        }
        return true;
      }
      // 206 starts where we asked; a server that ignores Range (200) sends the whole object,
      // whose leading bytes are skipped.
      if (!position_known) position = status == 206 ? from : 0, position_known = true;
      const std::uint64_t chunk_start = position;
      position += data.size();
      const std::uint64_t want = first + got;
      if (position > want && chunk_start <= want) {
        const auto skip = static_cast<std::size_t>(want - chunk_start);
        const std::size_t n = std::min(data.size() - skip, out.size() - got);
        std::memcpy(out.data() + got, data.data() + skip, n);
        got += n;
        if (progress && !progress(got)) return stopped = true, false;
      }
      return got < out.size();  // all we asked for: stop a whole-object answer early
    };
    // Straight into `out` where the connection allows it; else through libcurl's buffer.
    std::size_t direct = 0;
    auto answer = session.receive_range(call, out.subspan(got), direct, [&](std::size_t n) {
      stopped = progress && !progress(got_before + n);
      return !stopped;
    });
    got += direct;
    if (answer) error_body = answer->body;
    const http::http_reply reply = answer ? *std::move(answer) : session.perform(call);
    if (stopped) return failure{failure_kind::stopped, 0, loc.uri() + ": transfer stopped"};
    if (got == out.size()) break;
    const bool ok_status = reply.status == 200 || reply.status == 206;
    if (ok_status && reply.transport_ok && got < out.size()) {
      // A complete answer that is shorter than asked: the object shrank.
      return failure{failure_kind::changed, reply.status,
                     fmt::format("{}: the object ended at byte {}, before its size at HEAD",
                                 loc.uri(), first + got)};
    }
    if (!ok_status || reply.transport_ok) {
      if (!http::is_transient(reply)) return describe(loc, reply, error_body);
    }
    // A reply that brought bytes shows the path works: the count of failures and the backoff
    // start again, so that a long range with occasional resets neither gives up nor waits
    // longer and longer.
    if (got > got_before) {
      failures_in_a_row = 1;
      pause.reset();
    } else {
      ++failures_in_a_row;
    }
    if (failures_in_a_row > settings_.retries) {
      failure f = describe(loc, reply, error_body);
      f.kind = failure_kind::unavailable;
      f.message += fmt::format(" (at byte {}, after {} attempts)", first + got, failures_in_a_row);
      return f;
    }
    pause.wait();
  }
  return std::nullopt;
}

}  // namespace ouiscan::s3
