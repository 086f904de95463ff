// The Step Functions contract (docs/scale-out.md): plan requests, range items and batches of
// them, and merge requests, as the Distributed Map's states send them.
#include "work.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "ouiscan/merge/merge.h"
#include "ouiscan/merge/result_text.h"
#include "ouiscan/report/inventory.h"
#include "ouiscan/s3/client.h"
#include "ouiscan/scan/plan.h"
#include "ouiscan/scan/scan.h"
#include "ouiscan/text/json.h"

namespace ouiscan::lambda {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;

std::string str(element e, std::string_view key) {
  std::string_view v;
  return e[key].get(v) == SUCCESS ? std::string(v) : std::string();
}

// The answer of a failed request.
answer refused(std::string type, std::string message) {
  answer a;
  a.is_error = true;
  a.error_type = std::move(type);
  a.error_message = std::move(message);
  return a;
}

class work {
 public:
  work(const handler_settings& settings, const ouidb::database* db, const invocation& inv)
      : settings_(settings), db_(db), inv_(inv) {
    s3::settings s = settings.s3;
    if (inv.deadline_ms > 0) {
      s.stop_at = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(inv.deadline_ms - settings.deadline_margin_ms));
    }
    client_ = std::make_shared<s3::client>(s);
  }

  answer plan(element p) {
    scan::plan_request req;
    req.client = client_;
    array inputs;
    if (p["inputs"].get(inputs) == SUCCESS) {
      for (element i : inputs) {
        std::string_view v;
        if (i.get(v) == SUCCESS) req.inputs.emplace_back(v);
      }
    }
    std::uint64_t n = 0;
    if (p["parts"].get(n) == SUCCESS) req.parts = static_cast<unsigned>(n);
    if (p["part_size"].get(n) == SUCCESS) req.part_bytes = n;
    if (req.inputs.empty() || (req.parts == 0) == (req.part_bytes == 0)) {
      return refused("InvalidEvent",
                     "a plan request needs \"inputs\" and one of \"parts\" or \"part_size\"");
    }
    auto items = scan::plan(req);
    if (!items) return refused("PlanFailed", items.error().message);
    const std::string text = scan::plan_json(*items);
    answer a;
    if (settings_.output_uri.empty()) {
      if (text.size() > state_limit) {
        return refused("ResultTooLarge",
                       "the plan is larger than a state's 256 KB: set OUISCAN_OUTPUT_URI");
      }
      a.body = fmt::format(R"({{"count":{},"items":{}}})", items->size(), text);
      return a;
    }
    auto written = put("plans/" + inv_.request_id + ".json", text);
    if (!written) return refused("S3WriteFailed", written.error().message);
    const auto loc = s3::parse_uri(*written);
    fmt::memory_buffer b;
    fmt::format_to(std::back_inserter(b), R"({{"count":{},"bucket":)", items->size());
    text::append_json_string(b, loc->bucket);
    text::append_raw(b, ",\"key\":");
    text::append_json_string(b, loc->key);
    b.push_back('}');
    a.body = fmt::to_string(b);
    return a;
  }

  // One work item: {"input", "start", "end", "headers"} as the plan writes it; the answer's
  // JSON (the result inline, or where it was written) or an error.
  core::result<std::string, answer> range(element item, bool inline_allowed) {
    const std::string input = str(item, "input");
    std::uint64_t start = 0, end = 0;
    if (input.empty() || item["start"].get(start) != SUCCESS || item["end"].get(end) != SUCCESS ||
        start > end) {
      return refused("InvalidEvent",
                     "a range item needs \"input\", \"start\" and \"end\" (a plan's item)");
    }
    scan::request req;
    req.inputs = {input};
    req.client = client_;
    req.database = db_;
    req.threads = settings_.threads;
    req.range.emplace();
    req.range->start = start;
    req.range->end = end;
    if (const std::string headers = str(item, "headers"); !headers.empty()) {
      auto parsed = pipeline::parse_headers(headers);
      if (!parsed) return refused("InvalidEvent", "\"headers\" is not OFFSET+LENGTH,...");
      req.range->headers = std::move(*parsed);
      req.range->indexed = true;
    }
    scan::observer unheard;
    auto scanned = scan::run(std::move(req), unheard);
    if (!scanned) return refused("InvalidEvent", scanned.error().message);
    const report::inventory& inv = scanned->inventory;
    if (!inv.inputs.empty() && inv.inputs[0].error &&
        core::is_read_failure(inv.inputs[0].error->code)) {
      return refused("S3Unavailable", fmt::format("{}: {}", input,
                                                  inv.inputs[0].error_detail.empty()
                                                      ? core::to_string(*inv.inputs[0].error)
                                                      : inv.inputs[0].error_detail));
    }
    std::string result = inventory_json(inv);
    if (inline_allowed && result.size() <= state_limit) {
      return fmt::format(R"({{"result":{}}})", result);
    }
    if (settings_.output_uri.empty()) {
      return refused("ResultTooLarge",
                     "the range's result is larger than a state's 256 KB: set OUISCAN_OUTPUT_URI");
    }
    const auto loc = s3::parse_uri(input);
    auto written =
        put(fmt::format("ranges/{}.{}-{}.json", loc ? loc->key : input, start, end), result);
    if (!written) return refused("S3WriteFailed", written.error().message);
    fmt::memory_buffer b;
    text::append_raw(b, "{\"result_uri\":");
    text::append_json_string(b, *written);
    b.push_back('}');
    return fmt::to_string(b);
  }

  answer items(element one_or_batch) {
    array batch;
    const bool batched = one_or_batch["Items"].get(batch) == SUCCESS;
    answer a;
    if (!batched) {
      auto r = range(one_or_batch, true);
      if (!r) return r.error();
      a.body = *r;
      return a;
    }
    // A batch answers in one state: inline results while they fit, else all written to S3.
    for (const bool inline_allowed : {true, false}) {
      std::string body = "{\"results\":[";
      bool first = true;
      for (element item : batch) {
        auto r = range(item, inline_allowed);
        if (!r) return r.error();
        body += first ? "" : ",";
        body += *r;
        first = false;
      }
      body += "]}";
      if (body.size() <= state_limit || !inline_allowed || settings_.output_uri.empty()) {
        a.body = std::move(body);
        return a;
      }
    }
    return a;
  }

  answer merge(element m) {
    scan::result_texts texts(s3::overrides{});
    texts.use(client_);
    std::vector<std::string> results;
    std::vector<std::string> failed;  // work items that did not finish
    array list;
    if (m["results"].get(list) == SUCCESS) {
      for (element r : list) {
        std::string_view v;
        if (r.get(v) == SUCCESS) results.emplace_back(v);
      }
    } else if (const std::string manifest = str(m, "manifest"); !manifest.empty()) {
      if (auto why = read_manifest(texts, manifest, results, failed)) {
        return refused("InvalidManifest", *why);
      }
    } else {
      return refused("InvalidEvent",
                     "a merge request needs \"manifest\" (a ResultWriter manifest.json) or "
                     "\"results\" (s3:// addresses)");
    }
    merge::merger merger;
    std::vector<std::string> unreadable;
    for (const std::string& r : results) {
      auto text = r.starts_with("{") ? core::result<std::string, core::failure>(r) : texts.read(r);
      auto added = text ? merger.add(*text, r.starts_with("{") ? "an inline result" : r)
                        : core::result<std::monostate, core::failure>(text.error());
      if (!added) unreadable.push_back(added.error().message);
    }
    const auto request = [&] {
      scan::request req;
      req.database = db_;
      req.threads = settings_.threads;
      req.client = client_;
      req.filter = merger.filter();
      req.since_ns = merger.since_ns();
      req.until_ns = merger.until_ns();
      return req;
    };
    const scan::request req = request();
    scan::observer unheard;
    scan::result done =
        scan::finish(merger.take(merge::rescan_with(request)), req, unheard, scan::clock::now());
    done.inventory.merged_results = merger.results();
    done.inventory.merge_problems = merger.problems();
    for (const std::string& f : failed) done.inventory.merge_problems.push_back(f);
    for (const std::string& u : unreadable) {
      done.inventory.merge_problems.push_back(u + ": not merged");
    }
    done.inventory.merge_rewalked = merger.rewalked();
    const std::string result = inventory_json(done.inventory);
    fmt::memory_buffer b;
    fmt::format_to(std::back_inserter(b), R"({{"complete":{},"problems":)",
                   done.inventory.merge_problems.empty());
    text::append_raw(b, "[");
    for (std::size_t i = 0; i < done.inventory.merge_problems.size(); ++i) {
      if (i > 0) b.push_back(',');
      text::append_json_string(b, done.inventory.merge_problems[i]);
    }
    text::append_raw(b, "]");
    if (!settings_.output_uri.empty()) {
      auto written = put("merged/" + inv_.request_id + ".json", result);
      if (!written) return refused("S3WriteFailed", written.error().message);
      text::append_raw(b, ",\"result_uri\":");
      text::append_json_string(b, *written);
      text::append_raw(b, ",\"summary\":");
      text::append_raw(b, report::summary_json(done.inventory));
    } else if (result.size() <= state_limit) {
      text::append_raw(b, ",\"result\":");
      text::append_raw(b, result);
    } else {
      text::append_raw(b, ",\"summary\":");
      text::append_raw(b, report::summary_json(done.inventory));
    }
    b.push_back('}');
    answer a;
    a.body = fmt::to_string(b);
    return a;
  }

 private:
  // A ResultWriter manifest: each SUCCEEDED file holds the child executions' outputs (JSON
  // strings: one item's {"result"} or {"result_uri"}, or a batch's {"results": [...]}); the
  // FAILED files name the items that did not finish, reported as problems.
  std::optional<std::string> read_manifest(scan::result_texts& texts, const std::string& uri,
                                           std::vector<std::string>& results,
                                           std::vector<std::string>& failed) {
    auto text = texts.read(uri);
    if (!text) return text.error().message;
    simdjson::dom::parser parser;
    element doc;
    if (parser.parse(*text).get(doc) != SUCCESS) return uri + ": not JSON";
    const std::string bucket = str(doc, "DestinationBucket");
    element files;
    if (bucket.empty() || doc["ResultFiles"].get(files) != SUCCESS) {
      return uri + ": not a ResultWriter manifest (no DestinationBucket and ResultFiles)";
    }
    for (const char* status : {"SUCCEEDED", "FAILED", "PENDING"}) {
      array list;
      if (files[status].get(list) != SUCCESS) continue;
      for (element f : list) {
        const std::string file = "s3://" + bucket + "/" + str(f, "Key");
        auto body = texts.read(file);
        if (!body) return body.error().message;
        simdjson::dom::parser each;
        array executions;
        if (each.parse(*body).get(executions) != SUCCESS) return file + ": not a JSON array";
        for (element e : executions) {
          if (std::string_view(status) != "SUCCEEDED") {
            failed.push_back(
                fmt::format("a work item did not finish ({}): {}", status, str(e, "Input")));
            continue;
          }
          const std::string output = str(e, "Output");
          simdjson::dom::parser out_parser;
          element out;
          if (out_parser.parse(output).get(out) != SUCCESS) {
            failed.push_back("a work item's output is not JSON: " + str(e, "Input"));
            continue;
          }
          collect_outputs(out, results);
        }
      }
    }
    return std::nullopt;
  }

  static void collect_outputs(element out, std::vector<std::string>& results) {
    array batch;
    if (out["results"].get(batch) == SUCCESS) {
      for (element one : batch) collect_outputs(one, results);
      return;
    }
    element inline_result;
    if (out["result"].get(inline_result) == SUCCESS) {
      results.push_back(simdjson::to_string(inline_result));
    } else if (const std::string uri = str(out, "result_uri"); !uri.empty()) {
      results.push_back(uri);
    }
  }

  core::result<std::string, s3::failure> put(const std::string& name, const std::string& body) {
    auto out = s3::parse_uri(settings_.output_uri);
    out->key += name;
    return client_->put(*out, body, "application/json");
  }

  const handler_settings& settings_;
  const ouidb::database* db_;
  const invocation& inv_;
  std::shared_ptr<s3::client> client_;
};

}  // namespace

std::optional<answer> handle_work(std::string_view body, const handler_settings& settings,
                                  const ouidb::database* db, const invocation& inv) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != SUCCESS || !doc.is_object()) {
    return std::nullopt;  // the scan events' parser says what is wrong with it
  }
  element part;
  work w(settings, db, inv);
  if (doc["plan"].get(part) == SUCCESS) return w.plan(part);
  if (doc["merge"].get(part) == SUCCESS) return w.merge(part);
  if (doc["Items"].get(part) == SUCCESS || doc["start"].get(part) == SUCCESS) return w.items(doc);
  return std::nullopt;
}

}  // namespace ouiscan::lambda
