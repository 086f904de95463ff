// File: raw_connection.h
// One connection that libcurl opens (TCP, TLS verified as for every transfer) and then leaves
// to its owner, who reads and writes the bytes: how http_session receives a body straight into
// caller memory. Private to the http library.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "ouiscan/http/http_client.h"

namespace ouiscan::http {

class raw_connection {
 public:
  using clock = std::chrono::steady_clock;

  explicit raw_connection(const http_options& options) : options_(options) {}
  ~raw_connection() { close(); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // Connects to `origin` ("https://host:port") unless already connected there; libcurl's code
  // (0 when connected) and its message.
  int open(const std::string& origin, std::string& error);
  void close() noexcept;
  [[nodiscard]] bool is_open_to(const std::string& origin) const noexcept {
    return curl_ != nullptr && origin == origin_;
  }

  // Sends every byte, or fails (libcurl's code; CURLE_OPERATION_TIMEDOUT after `deadline`).
  int send_all(std::string_view bytes, clock::time_point deadline);
  // Receives at least one byte into out (0: the peer closed), waiting at most the idle window
  // for each and never past `deadline`. nullopt on a fault, whose code lands in `code`.
  std::optional<std::size_t> receive(std::span<std::byte> out, clock::time_point deadline,
                                     int& code);

 private:
  bool wait(bool for_reading, clock::time_point deadline);

  http_options options_;
  void* curl_ = nullptr;
  int socket_ = -1;  // libcurl's curl_socket_t on POSIX
  std::string origin_;
};

}  // namespace ouiscan::http
