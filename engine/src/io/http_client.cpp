#include "ouiscan/io/http_client.h"

#include <curl/curl.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <thread>

namespace ouiscan::io {
namespace {

struct curl_deleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::string trim_header_value(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
    v.remove_suffix(1);
  return std::string(v);
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<http_response*>(user);
  const std::string_view line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "etag") r->etag = trim_header_value(line.substr(colon + 1));
    if (name == "last-modified") r->last_modified = trim_header_value(line.substr(colon + 1));
  } else if (line.starts_with("HTTP/")) {
    // A new response (after a redirect): forget the headers of the previous one.
    r->etag.clear();
    r->last_modified.clear();
  }
  return size * n;
}

bool transient(CURLcode rc, long status) {
  if (rc == CURLE_OK) return status == 429 || status >= 500;
  return rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_COULDNT_CONNECT ||
         rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
         rc == CURLE_GOT_NOTHING || rc == CURLE_COULDNT_RESOLVE_HOST;
}

}  // namespace

http_client::http_client(http_options options) : options_(std::move(options)) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialised;
}

std::variant<http_response, http_failure> http_client::get(const std::string& url,
                                                           const http_request& request) {
  http_failure failure;
  std::mt19937 jitter(std::random_device{}());
  double delay = options_.backoff_s;
  for (unsigned attempt = 0; attempt <= options_.retries; ++attempt) {
    if (attempt > 0) {
      // Exponential backoff with full jitter, so that many clients do not retry in step.
      std::uniform_real_distribution<double> spread(0.5 * delay, delay);
      std::this_thread::sleep_for(std::chrono::duration<double>(spread(jitter)));
      delay *= 2;
    }
    failure.attempts = attempt + 1;
    std::unique_ptr<CURL, curl_deleter> curl(curl_easy_init());
    if (!curl) {
      failure.message = "cannot initialise libcurl";
      return failure;
    }
    http_response response;
    std::unique_ptr<curl_slist, slist_deleter> headers;
    const auto add_header = [&](const std::string& h) {
      headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    if (!request.if_none_match.empty()) add_header("If-None-Match: " + request.if_none_match);
    if (!request.if_modified_since.empty()) {
      add_header("If-Modified-Since: " + request.if_modified_since);
    }
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_window_s));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.user_agent.empty()) {
      curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    }
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &response);
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);

    const CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    failure.status = response.status;
    if (rc == CURLE_OK &&
        ((response.status >= 200 && response.status < 300) || response.status == 304)) {
      return response;
    }
    if (rc != CURLE_OK) {
      failure.message = error[0] != '\0' ? error : curl_easy_strerror(rc);
    } else {
      failure.message = "HTTP " + std::to_string(response.status);
    }
    if (!transient(rc, response.status)) break;
  }
  return failure;
}

}  // namespace ouiscan::io
