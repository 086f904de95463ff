#include "ouiscan/http/http_client.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "header_text.h"
#include "raw_connection.h"

namespace ouiscan::http {
namespace {

struct slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

struct transfer {
  const http_call* call;
  http_reply* reply;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  if (t->call->on_body) {
    const bool go_on =
        t->call->on_body(t->reply->status, {reinterpret_cast<const std::byte*>(data), size * n});
    return go_on ? size * n : 0;
  }
  t->reply->body.append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<transfer*>(user)->reply;
  const std::string_view line(data, size * n);
  const auto colon = line.find(':');
  if (line.starts_with("HTTP/")) {
    r->headers.clear();  // a new response (after a redirect): forget the previous one's
    // The status is known here, before the body: a body callback may need it.
    const auto space = line.find(' ');
    r->status = space == std::string_view::npos
                    ? 0
                    : std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
  } else if (colon != std::string_view::npos) {
    r->headers.emplace_back(detail::header_name(line.substr(0, colon)),
                            std::string(detail::trim_header_text(line.substr(colon + 1))));
  }
  return size * n;
}

}  // namespace

std::string http_reply::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

bool is_transient(const http_reply& r) noexcept {
  if (r.transport_ok) return r.status == 429 || r.status >= 500;
  const auto rc = static_cast<CURLcode>(r.transport_code);
  return rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_COULDNT_CONNECT ||
         rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
         rc == CURLE_GOT_NOTHING || rc == CURLE_COULDNT_RESOLVE_HOST;
}

void backoff::wait() {
  std::uniform_real_distribution<double> spread(0.5 * delay_, delay_);
  std::this_thread::sleep_for(std::chrono::duration<double>(spread(rng_)));
  delay_ *= 2;
}

void configure_transfer(void* curl_easy, const http_options& options) {
  auto* c = static_cast<CURL*>(curl_easy);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, options.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (options.accept_compressed) curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  if (options.receive_buffer_bytes > 0) {
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, options.receive_buffer_bytes);
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout_s * 1000));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout_s * 1000));
  if (options.low_speed_window_s > 0) {  // 0: a long poll, which may wait in silence
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_window_s));
  }
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.user_agent.empty()) {
    curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  }
}

http_session::http_session(const http_options& options) : options_(options) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialised;
  curl_ = curl_easy_init();
}

http_session::~http_session() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

http_reply http_session::perform(const http_call& call) {
  http_reply reply;
  auto* c = static_cast<CURL*>(curl_);
  if (c == nullptr) {
    reply.error = "cannot initialise libcurl";
    return reply;
  }
  curl_easy_reset(c);  // keeps the connection cache, drops the previous call's options
  std::unique_ptr<curl_slist, slist_deleter> headers;
  for (const auto& [name, value] : call.headers) {
    const std::string line = std::string(name).append(": ").append(value);
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  transfer t{&call, &reply};
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  if (call.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (call.method == "POST" || call.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    if (call.method == "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  }
  configure_transfer(c, options_);
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

  const CURLcode rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  reply.transport_code = static_cast<int>(rc);
  reply.transport_ok = rc == CURLE_OK;
  reply.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
  if (rc != CURLE_OK) reply.error = error[0] != '\0' ? error : curl_easy_strerror(rc);
  return reply;
}

http_client::http_client(http_options options) : options_(std::move(options)) {}

core::result<http_response, http_failure> http_client::get(const std::string& url,
                                                           const http_request& request) {
  http_failure failure;
  http_session session(options_);
  backoff pause(options_.backoff_s);
  http_call call;
  call.url = url;
  if (!request.if_none_match.empty())
    call.headers.emplace_back("If-None-Match", request.if_none_match);
  if (!request.if_modified_since.empty()) {
    call.headers.emplace_back("If-Modified-Since", request.if_modified_since);
  }
  for (unsigned attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) pause.wait();
    failure.attempts = attempt + 1;
    http_reply reply = session.perform(call);
    failure.status = reply.status;
    if (reply.transport_ok &&
        ((reply.status >= 200 && reply.status < 300) || reply.status == 304)) {
      http_response response;
      response.status = reply.status;
      response.body = std::move(reply.body);
      response.etag = reply.header("etag");
      response.last_modified = reply.header("last-modified");
      return response;
    }
    failure.message =
        reply.transport_ok ? "HTTP " + std::to_string(reply.status) : std::move(reply.error);
    if (!is_transient(reply)) break;
  }
  return failure;
}

}  // namespace ouiscan::http
