#include "ouiscan/lambda/runtime.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "ouiscan/lambda/handler.h"
#include "ouiscan/text/json.h"

namespace ouiscan::lambda {
namespace {

http::http_options runtime_options() {
  http::http_options o;
  o.total_timeout_s = 0;  // /next is a long poll: it waits for as long as it takes
  o.low_speed_window_s = 0;
  o.connect_timeout_s = 5;
  o.follow_redirects = false;
  o.accept_compressed = false;
  return o;
}

}  // namespace

std::string error_json(std::string_view type, std::string_view message,
                       std::string_view extra_json_fields) {
  fmt::memory_buffer b;
  fmt::format_to(std::back_inserter(b), "{{\"errorType\":");
  text::append_json_string(b, type);
  fmt::format_to(std::back_inserter(b), ",\"errorMessage\":");
  text::append_json_string(b, message);
  b.append(extra_json_fields);
  b.push_back('}');
  return fmt::to_string(b);
}

runtime_api::runtime_api(std::string host_port)
    : base_("http://" + std::move(host_port) + "/2018-06-01/runtime"),
      session_(runtime_options()) {}

std::optional<invocation> runtime_api::next() {
  http::http_call call;
  call.url = base_ + "/invocation/next";
  for (unsigned attempt = 0; attempt < 10; ++attempt) {
    http::http_reply reply = session_.perform(call);
    if (reply.transport_ok && reply.status == 200) {
      invocation inv;
      inv.request_id = reply.header("lambda-runtime-aws-request-id");
      inv.deadline_ms =
          std::strtoll(reply.header("lambda-runtime-deadline-ms").c_str(), nullptr, 10);
      inv.body = std::move(reply.body);
      if (!inv.request_id.empty()) return inv;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << std::min(attempt, 4U)));
  }
  return std::nullopt;
}

long runtime_api::post(const std::string& path, std::string body, std::string_view error_type) {
  http::http_call call;
  call.method = "POST";
  call.url = base_ + path;
  call.body = std::move(body);
  call.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) {
    call.headers.emplace_back("Lambda-Runtime-Function-Error-Type", std::string(error_type));
  }
  const http::http_reply reply = session_.perform(call);
  return reply.transport_ok ? reply.status : 0;
}

long runtime_api::respond(const std::string& request_id, std::string body) {
  return post("/invocation/" + request_id + "/response", std::move(body));
}

long runtime_api::fail(const std::string& request_id, std::string_view error_type,
                       std::string_view message, std::string_view extra_json_fields) {
  return post("/invocation/" + request_id + "/error",
              error_json(error_type, message, extra_json_fields), error_type);
}

long runtime_api::init_error(std::string_view error_type, std::string_view message) {
  return post("/init/error", error_json(error_type, message), error_type);
}

namespace {

bool accepted(long status) { return status >= 200 && status < 300; }

std::string rejection_line(const std::string& request_id, std::string_view what, long status) {
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), R"({{"level":"ERROR","requestId":)");
  text::append_json_string(line, request_id);
  fmt::format_to(std::back_inserter(line), R"(,"errorType":"ResponseRejected","message":)");
  text::append_json_string(
      line, status == 0 ? fmt::format("the Runtime API did not take the {}", what)
                        : fmt::format("the Runtime API refused the {} (HTTP {})", what, status));
  line.push_back('}');
  return fmt::to_string(line);
}

}  // namespace

void serve(runtime_api& api, handler& h, const std::function<void(std::string_view)>& log) {
  while (auto inv = api.next()) {
    answer a = h.handle(*inv);
    for (const auto& line : a.log_lines) log(line);
    const std::size_t bytes = a.body.size();
    const long status = a.is_error
                            ? api.fail(inv->request_id, a.error_type, a.error_message, a.body)
                            : api.respond(inv->request_id, std::move(a.body));
    if (accepted(status)) continue;
    log(rejection_line(inv->request_id, a.is_error ? "error" : "response", status));
    if (status == 0 || a.is_error) continue;  // no API to tell, or nothing else to say
    api.fail(inv->request_id, "ResponseRejected",
             fmt::format("the Runtime API refused the {}-byte answer (HTTP {})", bytes, status));
  }
}

}  // namespace ouiscan::lambda
