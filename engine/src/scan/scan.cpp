#include "ouiscan/scan/scan.h"

#include <fmt/format.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "inputs.h"
#include "ouiscan/filter/bpf_filter.h"
#include "ouiscan/pipeline/scan.h"
#include "ouiscan/text/json.h"

namespace ouiscan::scan {
namespace {

using severity = observer::severity;

// --since/--until, in front of the capture filter: frames outside the window are dropped.
class time_window final : public pipeline::frame_filter {
 public:
  time_window(std::int64_t since, std::int64_t until, const pipeline::frame_filter* next)
      : since_(since), until_(until), next_(next) {}
  [[nodiscard]] bool keep(const capture::frame& f) const noexcept override {
    // Untimed frames (pcapng Simple Packet Blocks) cannot be placed: they are dropped.
    if (f.ts_ns == capture::no_timestamp || f.ts_ns < since_ || f.ts_ns > until_) return false;
    return next_ == nullptr || next_->keep(f);
  }

 private:
  std::int64_t since_, until_;
  const pipeline::frame_filter* next_;
};

std::uint64_t anonymous_memory() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  unsigned long long kb = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "RssAnon: %llu kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb * 1024;
}

// The usual end of a capture whose writer was killed: the last record is cut short.
bool only_cut_short(const pipeline::input_report& r) {
  return r.error && r.error->code == core::errc::truncated_file;
}

// One scan in progress: the scanner, the reports so far and the worst outcome.
class session {
 public:
  session(const request& req, observer& watch, const pipeline::frame_filter* filter)
      : req_(req), watch_(watch), scanner_(options(req, filter)) {}

  void scan(io::input& in) {
    scanner_.set_progress(watch_.input_started(in.name, in.size));
    pipeline::input_report r = scanner_.scan(in);
    scanner_.set_progress(nullptr);
    watch_.input_finished();
    judge(r);
    reports_.push_back(std::move(r));
  }

  // An input that could not be opened or listed: reported as such, nothing read.
  void unreadable(std::string name, core::error e, std::string detail, const std::string& line) {
    pipeline::input_report r;
    r.name = std::move(name);
    r.error = e;
    r.error_detail = std::move(detail);
    watch_.message(severity::error, line);
    reports_.push_back(std::move(r));
    worse(outcome::unreadable);
  }

  void scan_files(remote_inputs& remote) {
    for (const std::string& path : req_.inputs) {
      if (!s3::is_s3_uri(path)) {
        open_and_scan(path, remote);
        continue;
      }
      const auto objects = remote.expand(path);
      if (objects.empty()) {
        unreadable(path, core::error{core::errc::remote_error, 0, 0, 0}, remote.last_failure(),
                   remote.last_failure());
      }
      for (const auto& uri : objects) open_and_scan(uri, remote);
    }
  }

  pipeline::scanner& scanner() { return scanner_; }
  std::vector<pipeline::input_report>& reports() { return reports_; }
  [[nodiscard]] outcome worst() const { return worst_; }

 private:
  static pipeline::scan_options options(const request& req, const pipeline::frame_filter* f) {
    pipeline::scan_options o;
    o.filter = f;
    // Live captures stop at the count themselves (and then end); files and streams are counted.
    o.max_frames = req.live.interface.empty() ? req.count : 0;
    o.threads = req.threads;
    o.chunk_bytes = req.chunk_bytes;
    o.max_addresses = req.max_addresses;
    o.resync = req.resync;
    o.range = req.range;
    return o;
  }

  void open_and_scan(const std::string& path, remote_inputs& remote) {
    if (req_.range && s3::is_s3_uri(path)) {  // a part of an object: ranged GETs of it alone
      auto r = remote.scan_range(path, scanner_);
      if (!r) {
        unreadable(path, r.error(), remote.last_failure(), remote.last_failure());
        return;
      }
      judge(*r);
      reports_.push_back(std::move(*r));
      return;
    }
    auto in = s3::is_s3_uri(path) ? remote.open(path) : io::open_input(path);
    if (!in) {
      std::string name = path == "-" ? "<stdin>" : path;
      if (s3::is_s3_uri(path)) {
        unreadable(name, in.error(), remote.last_failure(), remote.last_failure());
      } else {
        std::string line =
            fmt::format("{}: cannot open: {}", name, std::strerror(in.error().sys_errno));
        unreadable(std::move(name), in.error(), {}, line);
      }
      return;
    }
    scan(*in);
  }

  // Warnings for what went wrong in an input, and what it does to the outcome.
  void judge(const pipeline::input_report& r) {
    for (const auto& s : r.skipped) {
      watch_.message(
          severity::warning,
          fmt::format("{}: skipped bytes {}-{} ({} bytes) after {}; resynchronised on "
                      "the next plausible record",
                      r.name, s.offset, s.offset + s.bytes, s.bytes, core::to_string(s.cause)));
    }
    if (!r.skipped.empty()) worse(outcome::damaged);
    if (!r.error) return;
    const bool warning = only_cut_short(r) && !req_.strict;
    std::string line =
        fmt::format("{}{}: {}", warning ? "warning: " : "", r.name, core::to_string(*r.error));
    if (!r.error_detail.empty()) line += fmt::format(": {}", r.error_detail);
    if (!core::is_read_failure(r.error->code) || r.counters.frames > 0) {
      line += fmt::format(" (kept the {} frames before it; {} addresses so far)", r.counters.frames,
                          scanner_.addresses().size());
    }
    watch_.message(severity::warning, line);
    if (core::is_read_failure(r.error->code)) {
      worse(outcome::unreadable);
    } else if (!warning) {
      worse(outcome::damaged);
    }
  }

  void worse(outcome o) { worst_ = std::max(worst_, o); }

  const request& req_;
  observer& watch_;
  pipeline::scanner scanner_;
  std::vector<pipeline::input_report> reports_;
  outcome worst_ = outcome::ok;
};

// Captures from the request's interface until its duration, count or stop flag.
std::optional<refusal> scan_live(const request& req, observer& watch, session& s) {
  live::live_options lo = req.live;
  lo.count = req.count;
  live::capture_stats stats;
  lo.stats = &stats;
  lo.on_new_address = [&](core::mac_address mac, std::int64_t ts) { watch.new_address(mac, ts); };
  lo.on_status = [&](const live::live_status& st) { watch.live_status(st); };
  auto opened = live::open_live(lo);
  if (const std::string* why = opened ? nullptr : &opened.error().message) {
    return refusal{refusal::kind::unreadable,
                   fmt::format("cannot capture on {}: {}", lo.interface, *why)};
  }
  watch.message(severity::warning, fmt::format("capturing on {} (Ctrl-C to stop)", lo.interface));
  io::input in;
  in.name = "live:" + lo.interface;
  in.stream = std::move(*opened);
  s.scan(in);
  if (stats.known) {
    // tcpdump's closing counts.
    watch.message(severity::warning,
                  fmt::format("{}: {} packets received by filter, {} dropped by kernel{}",
                              lo.interface, stats.received, stats.dropped,
                              stats.if_dropped != 0
                                  ? fmt::format(", {} dropped by interface", stats.if_dropped)
                                  : std::string()));
  }
  return std::nullopt;
}

void warn_filter(const filter::bpf_filter& f, const std::vector<pipeline::input_report>& reports,
                 observer& watch) {
  for (const auto& [type, why] : f.inapplicable()) {
    const std::uint16_t link_type = type;  // a lambda below captures it
    const bool seen = std::any_of(reports.begin(), reports.end(), [&](const auto& r) {
      return std::any_of(r.counters.links.begin(), r.counters.links.end(),
                         [&](const auto& l) { return l.link_type == link_type; });
    });
    if (!seen) continue;  // only compiled to check the expression
    watch.message(severity::warning,
                  fmt::format("warning: the filter cannot apply to LINKTYPE {} ({}); its frames "
                              "are dropped",
                              link_type, why));
  }
}

// --names: each name the user gave an address that was found goes on it, as seen 0 times.
void add_user_names(identity::name_table& names, const pipeline::address_table& table,
                    const std::vector<vendors::ethers_entry>& given) {
  if (given.empty()) return;
  std::unordered_map<std::uint64_t, const std::string*> by_mac;
  for (const vendors::ethers_entry& e : given) by_mac[e.mac.value()] = &e.name;
  table.for_each([&](core::mac_address mac, const pipeline::address_stats&) {
    const auto it = by_mac.find(mac.value());
    if (it == by_mac.end()) return;
    identity::name_entry n;
    n.kind = capture::name_kind::user_name;
    n.text = text::clean_name(*it->second);
    names.restore(mac, std::move(n));
  });
}

}  // namespace

class result_texts::impl {
 public:
  explicit impl(const s3::overrides& o) : overrides(o), remote(o, nullptr) {}
  s3::overrides overrides;
  remote_inputs remote;
};
void result_texts::use(std::shared_ptr<s3::client> client) {
  impl_->remote = remote_inputs(impl_->overrides, std::move(client));
}
result_texts::result_texts(const s3::overrides& o) : impl_(std::make_unique<impl>(o)) {}
result_texts::~result_texts() = default;

core::result<std::string, core::failure> result_texts::read(const std::string& path_or_uri) {
  if (s3::is_s3_uri(path_or_uri)) return impl_->remote.read_text(path_or_uri);
  std::FILE* f = std::fopen(path_or_uri.c_str(), "rb");
  if (f == nullptr) {
    return core::failure{fmt::format("{}: {}", path_or_uri, std::strerror(errno))};
  }
  std::string text;
  std::array<char, 1U << 16> buf{};
  for (std::size_t n = 0; (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;) {
    text.append(buf.data(), n);
  }
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return core::failure{fmt::format("{}: read error", path_or_uri)};
  return text;
}

core::result<result, refusal> run(request req, observer& watch) {
  const auto start = clock::now();
  outcome worst = outcome::ok;
  auto f = collect(req, watch, &worst);
  if (!f) return f.error();
  result out = finish(std::move(*f), req, watch, start);
  out.worst = worst;
  return out;
}

core::result<found, refusal> collect(request& req, observer& watch, outcome* worst) {
  std::unique_ptr<filter::bpf_filter> capture_filter;
  if (!req.filter.empty()) {
    auto compiled = filter::bpf_filter::compile(req.filter);
    if (const std::string* why = compiled ? nullptr : &compiled.error().message) {
      return refusal{refusal::kind::usage,
                     fmt::format("invalid filter '{}': {}", req.filter, *why)};
    }
    capture_filter = std::move(*compiled);
  }
  std::unique_ptr<time_window> window;
  if (req.since_ns != std::numeric_limits<std::int64_t>::min() ||
      req.until_ns != std::numeric_limits<std::int64_t>::max()) {
    window = std::make_unique<time_window>(req.since_ns, req.until_ns, capture_filter.get());
  }
  session s(
      req, watch,
      window ? static_cast<const pipeline::frame_filter*>(window.get()) : capture_filter.get());
  if (!req.live.interface.empty()) {
    if (auto refused = scan_live(req, watch, s)) return *refused;
  }
  remote_inputs remote(req.s3, req.client);
  s.scan_files(remote);
  for (io::input& in : req.opened) s.scan(in);

  if (capture_filter) warn_filter(*capture_filter, s.reports(), watch);
  std::uint64_t over_cap = 0;
  for (const auto& r : s.reports()) over_cap += r.counters.addresses_over_cap;
  if (over_cap > 0) {
    watch.message(severity::warning,
                  fmt::format("warning: the cap of {} distinct addresses was reached; {} later "
                              "sightings of new addresses were counted but not kept (raise "
                              "--max-addresses)",
                              req.max_addresses, over_cap));
  }
  found f;
  f.addresses = s.scanner().take_addresses();
  f.ips = s.scanner().take_ips();
  f.names = s.scanner().take_names();
  f.inputs = std::move(s.reports());
  if (worst != nullptr) *worst = s.worst();
  return f;
}

result finish(found f, const request& req, observer& watch, clock::time_point start) {
  std::optional<vendors::online_answers> online;
  if (req.online) {
    online.emplace(req.database, f.addresses, req.api);
    if (const auto text = online->unresolved_text(); !text.empty()) {
      watch.message(severity::warning, "warning: --online left " + text);
    }
  }
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();
  result out;
  out.addresses = std::make_shared<const pipeline::address_table>(std::move(f.addresses));
  f.ips.seal();
  auto ips = std::make_shared<const identity::ip_table>(std::move(f.ips));
  add_user_names(f.names, *out.addresses, req.user_names);
  f.names.seal();
  auto names = std::make_shared<const identity::name_table>(std::move(f.names));
  // Naming and ordering millions of addresses use the scan's threads too.
  tbb::task_arena arena(req.threads == 0 ? tbb::task_arena::automatic
                                         : static_cast<int>(req.threads));
  arena.execute([&] {
    out.inventory = report::make_inventory(
        *out.addresses,
        vendors::name_addresses(*out.addresses, req.database,
                                online ? online->fallback() : vendors::vendor_fallback{},
                                req.manuf.get()),
        std::move(f.inputs), seconds);
  });
  auto& inv = out.inventory;
  if (f.totals) inv.totals = std::move(*f.totals);
  inv.anomalies = ips->anomalies();
  inv.ips = std::move(ips);
  inv.names = std::move(names);
  if (online) inv.online = online->summary();
  inv.database = req.database_name;
  inv.database_date = req.database->header().registries[0].snapshot_date;
  inv.filter = req.filter;
  inv.since_ns = req.since_ns;
  inv.until_ns = req.until_ns;
  inv.rss_anon_bytes = anonymous_memory();
  return out;
}

}  // namespace ouiscan::scan
