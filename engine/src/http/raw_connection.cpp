#include "raw_connection.h"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>

#include "header_text.h"

namespace ouiscan::http {
namespace {

constexpr std::size_t max_head_bytes = 64 * 1024;
constexpr std::size_t max_error_body_bytes = 1024 * 1024;

// libcurl reads these too; a connection made through a proxy is perform()'s to handle.
bool proxy_in_environment() {
  for (const char* name :
       {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

std::optional<std::uint64_t> parse_length(std::string_view v) {
  if (v.empty() || v.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// What the reply's head says about its body and the connection.
struct head_facts {
  std::optional<std::uint64_t> length;
  bool chunked = false;  // any transfer coding: the body's length is not known up front
  bool keep_alive = true;
};

// Parses the status line and header lines (the head without its blank line) into the reply.
bool parse_head(std::string_view head, http_reply& reply, head_facts& facts) {
  const auto line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
    return false;
  }
  const auto status = parse_length(status_line.substr(9, 3));
  if (!status || *status < 100 || *status > 999) return false;
  reply.status = static_cast<long>(*status);
  facts = {};
  facts.keep_alive = status_line[7] != '0';  // HTTP/1.0 closes unless it says otherwise
  reply.headers.clear();
  std::size_t at = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    auto end = head.find("\r\n", at);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(at, end - at);
    at = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;  // folded or broken: ignored
    std::string name = detail::header_name(line.substr(0, colon));
    const std::string_view value = detail::trim_header_text(line.substr(colon + 1));
    if (name == "content-length") {
      const auto n = parse_length(value);
      if (!n || (facts.length && *facts.length != *n)) return false;
      facts.length = n;
    } else if (name == "transfer-encoding") {
      facts.chunked = facts.chunked || detail::lowercase_ascii(value) != "identity";
    } else if (name == "connection") {
      const std::string v = detail::lowercase_ascii(value);
      if (v.find("close") != std::string::npos) facts.keep_alive = false;
      if (v.find("keep-alive") != std::string::npos) facts.keep_alive = true;
    }
    reply.headers.emplace_back(std::move(name), std::string(value));
  }
  return true;
}

void fail(http_reply& reply, int code, std::string message) {
  reply.transport_ok = false;
  reply.transport_code = code;
  reply.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  reply.error = std::move(message);
}

}  // namespace

int raw_connection::open(const std::string& origin, std::string& error) {
  if (is_open_to(origin)) return CURLE_OK;
  close();
  CURL* c = curl_easy_init();
  if (c == nullptr) {
    error = "cannot initialise libcurl";
    return CURLE_FAILED_INIT;
  }
  configure_transfer(c, options_);
  const std::string url = origin + "/";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
  char message[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_socket_t s = CURL_SOCKET_BAD;
  if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &s);
  if (rc != CURLE_OK || s == CURL_SOCKET_BAD) {
    error = message[0] != '\0' ? message : curl_easy_strerror(rc);
    curl_easy_cleanup(c);
    return rc != CURLE_OK ? rc : CURLE_COULDNT_CONNECT;
  }
  curl_ = c;
  socket_ = s;
  origin_ = origin;
  return CURLE_OK;
}

void raw_connection::close() noexcept {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_ = nullptr;
  socket_ = -1;
  origin_.clear();
}

bool raw_connection::wait(bool for_reading, clock::time_point deadline) {
  const auto now = clock::now();
  if (now >= deadline) return false;
  // Silence longer than the idle window ends the attempt, as libcurl's low-speed limit would.
  auto timeout = std::chrono::milliseconds(std::numeric_limits<int>::max());
  if (options_.low_speed_window_s > 0) {
    timeout = std::chrono::milliseconds(static_cast<long>(options_.low_speed_window_s * 1000));
  }
  if (deadline != clock::time_point::max()) {
    timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                    deadline - now + std::chrono::milliseconds(1)));
  }
  pollfd p{socket_, static_cast<short>(for_reading ? POLLIN : POLLOUT), 0};
  for (;;) {
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n > 0) return true;  // ready, or an error that the next call reports
    if (n == 0 || errno != EINTR) return false;
  }
}

int raw_connection::send_all(std::string_view bytes, clock::time_point deadline) {
  auto* c = static_cast<CURL*>(curl_);
  while (!bytes.empty()) {
    std::size_t sent = 0;
    const CURLcode rc = curl_easy_send(c, bytes.data(), bytes.size(), &sent);
    if (rc == CURLE_AGAIN) {
      if (!wait(false, deadline)) return CURLE_OPERATION_TIMEDOUT;
      continue;
    }
    if (rc != CURLE_OK) return rc;
    bytes.remove_prefix(sent);
  }
  return CURLE_OK;
}

std::optional<std::size_t> raw_connection::receive(std::span<std::byte> out,
                                                   clock::time_point deadline, int& code) {
  auto* c = static_cast<CURL*>(curl_);
  for (;;) {
    std::size_t n = 0;
    const CURLcode rc = curl_easy_recv(c, out.data(), out.size(), &n);
    if (rc == CURLE_OK) return n;
    if (rc != CURLE_AGAIN) {
      code = rc;
      return std::nullopt;
    }
    if (!wait(true, deadline)) {
      code = CURLE_OPERATION_TIMEDOUT;
      return std::nullopt;
    }
  }
}

std::optional<http_reply> http_session::receive_range(
    const http_call& call, std::span<std::byte> out, std::size_t& received,
    const std::function<bool(std::size_t)>& progress) {
  received = 0;
  const auto scheme_end = call.url.find("://");
  if (call.method != "GET" || scheme_end == std::string::npos || proxy_in_environment()) {
    return std::nullopt;
  }
  const auto path_start = call.url.find('/', scheme_end + 3);
  const std::string origin = call.url.substr(0, path_start);
  std::string request = "GET ";
  request.append(path_start == std::string::npos ? "/" : call.url.substr(path_start));
  request.append(" HTTP/1.1\r\n");
  for (const auto& [name, value] : call.headers) {
    request.append(name).append(": ").append(value).append("\r\n");
  }
  if (!options_.user_agent.empty()) request.append("User-Agent: " + options_.user_agent + "\r\n");
  request.append("\r\n");

  const auto deadline =
      options_.total_timeout_s > 0
          ? raw_connection::clock::now() +
                std::chrono::milliseconds(static_cast<long>(options_.total_timeout_s * 1000))
          : raw_connection::clock::time_point::max();
  if (!raw_) raw_ = std::make_unique<raw_connection>(options_);
  raw_connection& conn = *raw_;
  http_reply reply;
  head_facts facts;
  std::string head;  // the reply's head, then whatever body bytes came with it
  std::size_t body_start = 0;
  std::byte buffer[16 * 1024];
  for (int attempt = 0;; ++attempt) {
    const bool reused = conn.is_open_to(origin);
    int code = conn.open(origin, reply.error);
    if (code != CURLE_OK) {
      fail(reply, code, reply.error);
      return reply;
    }
    code = conn.send_all(request, deadline);
    head.clear();
    body_start = 0;
    while (code == CURLE_OK && body_start == 0) {
      const auto n = conn.receive(buffer, deadline, code);
      if (!n) break;
      if (*n == 0) {
        code = head.empty() ? CURLE_GOT_NOTHING : CURLE_RECV_ERROR;
        break;
      }
      const std::size_t from = head.size() >= 3 ? head.size() - 3 : 0;
      head.append(reinterpret_cast<const char*>(buffer), *n);
      for (auto end = head.find("\r\n\r\n", from); end != std::string::npos && body_start == 0;
           end = head.find("\r\n\r\n")) {
        if (!parse_head(std::string_view(head).substr(0, end), reply, facts)) {
          code = CURLE_WEIRD_SERVER_REPLY;
          break;
        }
        if (reply.status >= 200) {
          body_start = end + 4;
        } else {
          head.erase(0, end + 4);  // 1xx: an interim answer, the real one follows
        }
      }
      if (code == CURLE_OK && body_start == 0 && head.size() > max_head_bytes) {
        code = CURLE_WEIRD_SERVER_REPLY;
      }
    }
    if (code == CURLE_OK) break;
    conn.close();
    // A kept connection that the server has closed since fails at once: once more, on a new one.
    if (reused && attempt == 0 && head.empty() && code != CURLE_OPERATION_TIMEDOUT) continue;
    fail(reply, code,
         code == CURLE_WEIRD_SERVER_REPLY ? "malformed HTTP reply head"
                                          : curl_easy_strerror(static_cast<CURLcode>(code)));
    return reply;
  }

  const std::string_view early = std::string_view(head).substr(body_start);
  if (reply.status == 206 && facts.length && !facts.chunked && *facts.length <= out.size()) {
    const auto length = static_cast<std::size_t>(*facts.length);
    if (early.size() > length) {
      conn.close();
      fail(reply, CURLE_WEIRD_SERVER_REPLY, "more bytes than the reply's Content-Length");
      return reply;
    }
    if (!early.empty()) std::memcpy(out.data(), early.data(), early.size());
    received = early.size();
    bool go_on = !progress || received == 0 || progress(received);
    while (received < length) {
      if (!go_on) {
        conn.close();
        fail(reply, CURLE_ABORTED_BY_CALLBACK, "stopped by the caller");
        return reply;
      }
      int code = CURLE_OK;
      const auto n = conn.receive(out.subspan(received, length - received), deadline, code);
      if (!n || *n == 0) {
        conn.close();
        fail(reply, n ? CURLE_PARTIAL_FILE : code,
             n ? "the connection closed after " + std::to_string(received) + " of " +
                     std::to_string(length) + " body bytes"
               : curl_easy_strerror(static_cast<CURLcode>(code)));
        return reply;
      }
      received += *n;
      go_on = !progress || progress(received);
    }
    reply.transport_ok = true;
    if (!facts.keep_alive) conn.close();
    return reply;
  }
  // A body that is not a range of ours (200: the whole object), or one whose end this cannot
  // tell: perform() asks again.
  const bool until_close = !facts.length && !facts.chunked && !facts.keep_alive;
  if (reply.status == 200 || reply.status == 206 || facts.chunked ||
      (!facts.length && !until_close) || (facts.length && *facts.length > max_error_body_bytes)) {
    conn.close();
    return std::nullopt;
  }
  // An error and its explanation, short.
  const std::size_t length =
      facts.length ? static_cast<std::size_t>(*facts.length) : max_error_body_bytes;
  reply.body.assign(early.substr(0, std::min(early.size(), length)));
  while (reply.body.size() < length) {
    int code = CURLE_OK;
    const auto n = conn.receive(buffer, deadline, code);
    if (!n || *n == 0) {
      conn.close();
      if (until_close && n) break;
      fail(reply, n ? CURLE_PARTIAL_FILE : code, "the connection closed inside an error reply");
      return reply;
    }
    reply.body.append(reinterpret_cast<const char*>(buffer),
                      std::min(*n, length - reply.body.size()));
  }
  reply.transport_ok = true;
  if (!facts.keep_alive || until_close) conn.close();
  return reply;
}

}  // namespace ouiscan::http
