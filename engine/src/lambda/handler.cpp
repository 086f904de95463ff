#include "ouiscan/lambda/handler.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "ouiscan/lambda/event.h"
#include "ouiscan/report/inventory.h"
#include "ouiscan/s3/object_stream.h"
#include "ouiscan/scan/scan.h"
#include "work.h"

namespace ouiscan::lambda {
namespace {

// One scanned (or refused) object.
struct object_result {
  std::string uri;
  std::string status;      // ok, damaged, stopped, or an errorType
  std::string error_type;  // "" when the object was scanned to its end
  std::string message;     // one line, when not ok
  std::string inventory;   // ouiscan's JSON result (addresses and summary), or ""
  std::string summary;     // the summary object alone
  std::size_t addresses = 0;
  std::string result_uri;  // where the full result was written (OUISCAN_OUTPUT_URI)
  double seconds = 0;
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
};

std::string error_type_of(s3::failure_kind k) {
  switch (k) {
    case s3::failure_kind::denied:
      return "AccessDenied";
    case s3::failure_kind::not_found:
      return "ObjectNotFound";
    case s3::failure_kind::changed:
      return "ObjectChanged";
    case s3::failure_kind::wrong_region:
      return "WrongRegion";
    case s3::failure_kind::too_large:
      return "ObjectTooLarge";
    case s3::failure_kind::bad_response:
    case s3::failure_kind::unavailable:
    case s3::failure_kind::stopped:  // never reaches a handler: only a closing stream stops
      break;
  }
  return "S3Unavailable";
}

void append_object(fmt::memory_buffer& b, const object_result& o, bool with_addresses) {
  auto out = std::back_inserter(b);
  fmt::format_to(out, "{{\"uri\":");
  text::append_json_string(b, o.uri);
  fmt::format_to(out, ",\"status\":\"{}\",\"complete\":{}", o.status, o.status != "stopped");
  if (!o.message.empty()) {
    fmt::format_to(out, ",\"message\":");
    text::append_json_string(b, o.message);
  }
  if (!o.result_uri.empty()) {
    fmt::format_to(out, ",\"result_uri\":");
    text::append_json_string(b, o.result_uri);
  }
  if (!o.inventory.empty()) {
    if (with_addresses) {
      fmt::format_to(out, ",\"result\":{}", o.inventory);
    } else {
      fmt::format_to(out, ",\"result\":{{\"summary\":{}}},\"addresses_omitted\":{}", o.summary,
                     o.addresses);
    }
  }
  b.push_back('}');
}

std::string objects_json(const std::vector<object_result>& objects, bool with_addresses) {
  fmt::memory_buffer b;
  b.push_back('[');
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) b.push_back(',');
    append_object(b, objects[i], with_addresses);
  }
  b.push_back(']');
  return fmt::to_string(b);
}

}  // namespace

// The report's JSON, written through a memory stream.
std::string inventory_json(const report::inventory& inv) {
  char* data = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  if (f == nullptr) return {};
  report::write(f, inv, report::format::json);
  std::fclose(f);
  std::string out(data, size);
  std::free(data);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

handler::handler(handler_settings settings, const ouidb::database* db)
    : settings_(std::move(settings)), db_(db) {}

answer handler::handle(const invocation& inv) {
  if (auto work = handle_work(inv.body, settings_, db_, inv)) return *std::move(work);
  answer a;
  auto parsed = parse_event(inv.body);
  if (const auto* why = parsed ? nullptr : &parsed.error()) {
    a.is_error = true;
    a.error_type = "InvalidEvent";
    a.error_message = why->message;
    a.log_lines.push_back(
        fmt::format(R"({{"level":"ERROR","requestId":"{}","errorType":"InvalidEvent","bytes":{}}})",
                    inv.request_id, inv.body.size()));
    return a;
  }
  s3::settings s3s = settings_.s3;
  if (inv.deadline_ms > 0) {
    s3s.stop_at = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(inv.deadline_ms - settings_.deadline_margin_ms));
  }
  auto client = std::make_shared<s3::client>(s3s);
  std::vector<object_result> results;
  for (const s3::location& loc : *parsed) {
    object_result r;
    r.uri = loc.uri();
    const auto start = std::chrono::steady_clock::now();
    auto opened = s3::open_object(client, loc);
    if (const auto* f = opened ? nullptr : &opened.error()) {
      r.error_type = error_type_of(f->kind);
      r.status = r.error_type;
      r.message = f->message;
    } else {
      scan::request req;
      req.opened.push_back(*std::move(opened));
      req.database = db_;
      req.database_name = "embedded";
      req.threads = settings_.threads;
      scan::observer unheard;  // the handler reports through its answer and log lines
      auto scanned = *scan::run(std::move(req), unheard);  // no filter: nothing to refuse
      const report::inventory& inventory = scanned.inventory;
      const pipeline::input_report& rep = inventory.inputs.at(0);
      r.frames = rep.counters.frames;
      r.bytes = rep.bytes_read;
      r.status = report::input_status(rep);  // ok, damaged, truncated, stopped or io_error
      if (r.status == "stopped") {
        r.message = fmt::format(
            "{}: stopped {} ms before the invocation deadline after {} bytes; the result is "
            "partial",
            r.uri, settings_.deadline_margin_ms, rep.bytes_read);
      } else if (r.status == "io_error") {
        r.status = r.error_type =
            rep.error->code == core::errc::remote_changed ? "ObjectChanged" : "S3Unavailable";
        r.message = rep.error_detail.empty()
                        ? fmt::format("{}: {}", r.uri, core::to_string(*rep.error))
                        : rep.error_detail;
      } else if (rep.error) {  // truncated: a writer killed mid-record, every whole record used
        if (r.status == "damaged")
          r.error_type = rep.format.empty() ? "NotACapture" : "DamagedCapture";
        r.message = fmt::format("{}: {}", r.uri, core::to_string(*rep.error));
      }
      r.addresses = inventory.entries.size();
      r.inventory = inventory_json(inventory);
      r.summary = report::summary_json(inventory);
      if (!settings_.output_uri.empty()) {
        if (auto out = s3::parse_uri(settings_.output_uri)) {
          out->key += loc.key + ".ouiscan.json";
          auto written = client->put(*out, r.inventory, "application/json");
          if (written) {
            r.result_uri = *written;
          } else {
            r.message += (r.message.empty() ? "" : "; ") + written.error().message;
          }
        }
      }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::memory_buffer line;
    fmt::format_to(std::back_inserter(line), R"({{"level":"{}","requestId":)",
                   r.error_type.empty() ? "INFO" : "ERROR");
    text::append_json_string(line, inv.request_id);
    fmt::format_to(std::back_inserter(line), R"(,"uri":)");
    text::append_json_string(line, r.uri);
    fmt::format_to(std::back_inserter(line),
                   R"(,"status":"{}","frames":{},"bytes":{},"addresses":{},"seconds":{:.3f}}})",
                   r.status, r.frames, r.bytes, r.addresses, r.seconds);
    a.log_lines.push_back(fmt::to_string(line));
    results.push_back(std::move(r));
  }

  bool complete = true;
  for (const auto& r : results) {
    if (!r.error_type.empty() && !a.is_error) {
      a.is_error = true;
      a.error_type = r.error_type;
    }
    if (!r.error_type.empty()) {
      a.error_message += (a.error_message.empty() ? "" : "; ") + r.message;
    }
    complete = complete && r.status != "stopped";
  }
  // The full answer when it fits; otherwise the summaries only, saying so.
  std::string objects = objects_json(results, true);
  bool truncated = false;
  if (objects.size() > settings_.response_limit) {
    objects = objects_json(results, false);
    truncated = true;
  }
  if (a.is_error) {
    a.body = fmt::format(R"(,"objects":{},"truncated":{})", objects, truncated);
    if (a.body.size() > settings_.response_limit) a.body.clear();
    return a;
  }
  a.body =
      fmt::format(R"({{"complete":{},"truncated":{},"objects":{}}})", complete, truncated, objects);
  if (truncated) {
    a.body.insert(
        a.body.size() - 1,
        R"(,"note":"address lists omitted to stay within Lambda's 6 MB response limit; set OUISCAN_OUTPUT_URI for full results")");
  }
  return a;
}

core::result<handler_settings, core::failure> settings_from_environment(
    const s3::environment& env) {
  handler_settings h;
  s3::overrides o;
  const char* ca = env("OUISCAN_CA_FILE");
  const char* root = env("LAMBDA_TASK_ROOT");
  if (ca != nullptr && *ca != '\0') {
    o.ca_file = ca;
  } else if (root != nullptr) {
    const std::string bundled = std::string(root) + "/ca-bundle.crt";
    if (::access(bundled.c_str(), R_OK) == 0) o.ca_file = bundled;
  }
  auto s = s3::resolve(o, env);
  if (const std::string* why = s ? nullptr : &s.error().message) return core::failure{*why};
  h.s3 = *std::move(s);
  if (const char* out = env("OUISCAN_OUTPUT_URI"); out != nullptr && *out != '\0') {
    auto loc = s3::parse_uri(out);
    if (!loc)
      return core::failure{std::string("OUISCAN_OUTPUT_URI is not an s3://bucket/prefix/ address")};
    h.output_uri = out;
  }
  if (const char* m = env("OUISCAN_DEADLINE_MARGIN_MS"); m != nullptr && *m != '\0') {
    h.deadline_margin_ms = std::strtoll(m, nullptr, 10);
  }
  return h;
}

}  // namespace ouiscan::lambda
