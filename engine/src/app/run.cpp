#include "ouiscan/app/run.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "ouiscan/app/vendor_db.h"
#include "ouiscan/filter/bpf_filter.h"
#include "ouiscan/live/live_capture.h"
#include "ouiscan/s3/client.h"
#include "ouiscan/s3/object_stream.h"

namespace ouiscan::app {
namespace {

using clock = std::chrono::steady_clock;

// Draws a progress line on stderr from its own thread, so the pipeline never waits on a
// terminal. It appears only after a short delay: quick runs print nothing.
class progress_bar {
 public:
  progress_bar(const std::string& name, std::uint64_t total)
      : name_(name), total_(total), start_(clock::now()), thread_([this] { loop(); }) {}
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;
  ~progress_bar() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
    if (drawn_) std::fputs("\r\033[K", stderr);
  }
  std::atomic<std::uint64_t>* counter() noexcept { return &bytes_; }

 private:
  static constexpr auto delay = std::chrono::milliseconds(500);
  static constexpr auto period = std::chrono::milliseconds(100);
  static constexpr int width = 30;

  void loop() {
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, delay, [this] { return done_; })) return;
    while (!done_) {
      draw();
      wake_.wait_for(lock, period, [this] { return done_; });
    }
  }
  void draw() {
    const double secs = std::chrono::duration<double>(clock::now() - start_).count();
    const auto done = bytes_.load(std::memory_order_relaxed);
    const double rate = secs > 0 ? static_cast<double>(done) / secs / 1e6 : 0;
    std::string line;
    if (total_ > 0) {
      const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
      const int filled = static_cast<int>(frac * width);
      line = fmt::format("\r[{:=<{}}{:<{}}] {:3.0f}% {:.0f}/{:.0f} MB {:.0f} MB/s  {}", "", filled,
                         "", width - filled, frac * 100, static_cast<double>(done) / 1e6,
                         static_cast<double>(total_) / 1e6, rate, name_);
    } else {
      line = fmt::format("\r{:.0f} MB read, {:.0f} MB/s  {}", static_cast<double>(done) / 1e6, rate,
                         name_);
    }
    std::fputs(line.c_str(), stderr);
    std::fputs("\033[K", stderr);
    std::fflush(stderr);
    drawn_ = true;
  }

  std::string name_;
  std::uint64_t total_;
  clock::time_point start_;
  std::atomic<std::uint64_t> bytes_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

// RssAnon from /proc/self/status: the heap and stacks, not the page cache behind mapped files.
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

void warn_skips(const pipeline::input_report& r) {
  for (const auto& s : r.skipped) {
    fmt::print(stderr,
               "ouiscan: {}: skipped bytes {}-{} ({} bytes) after {}; resynchronised on the "
               "next plausible record\n",
               r.name, s.offset, s.offset + s.bytes, s.bytes, core::to_string(s.cause));
  }
}

void warn_input(const pipeline::input_report& r, std::size_t addresses_so_far, bool strict) {
  const bool warning = only_cut_short(r) && !strict;
  fmt::print(stderr, "ouiscan: {}{}: {}", warning ? "warning: " : "", r.name,
             core::to_string(*r.error));
  if (!r.error_detail.empty()) fmt::print(stderr, ": {}", r.error_detail);
  if (!core::is_read_failure(r.error->code) || r.counters.frames > 0) {
    fmt::print(stderr, " (kept the {} frames before it; {} addresses so far)", r.counters.frames,
               addresses_so_far);
  }
  std::fputc('\n', stderr);
}

// s3:// inputs: settings resolved and the client made on first use, so that runs without S3
// never look for credentials.
class remote_inputs {
 public:
  explicit remote_inputs(const s3::overrides& o) : overrides_(o) {}

  // Objects under a prefix that look like captures, or the one object named.
  std::vector<std::string> expand(const std::string& uri) {
    const auto loc = s3::parse_uri(uri);
    if (!loc)
      return fail(fmt::format("{}: not an s3://bucket/key address", uri)),
             std::vector<std::string>{};
    if (!loc->is_prefix()) return {uri};
    if (!ready()) return {};
    auto listed = client_->list(*loc);
    if (auto* f = std::get_if<s3::failure>(&listed))
      return fail(f->message), std::vector<std::string>{};
    std::vector<std::string> out;
    for (const auto& o : std::get<std::vector<s3::object_info>>(listed)) {
      const s3::location object{loc->bucket, o.key};
      if (s3::looks_like_capture(*client_, object, o)) out.push_back(object.uri());
    }
    if (out.empty()) fail(fmt::format("{}: no captures under this prefix", uri));
    return out;
  }

  core::result<io::input> open(const std::string& uri) {
    const auto loc = s3::parse_uri(uri);
    if (!loc) return fail(fmt::format("{}: not an s3://bucket/key address", uri));
    if (!ready()) return core::error{core::errc::remote_error, 0, 0, 0};
    auto opened = s3::open_object(client_, *loc);
    if (auto* f = std::get_if<s3::failure>(&opened)) {
      failure_ = f->message;
      return core::error{f->kind == s3::failure_kind::changed ? core::errc::remote_changed
                                                              : core::errc::remote_error,
                         0, 0, static_cast<int>(f->status)};
    }
    return std::get<io::input>(std::move(opened));
  }

  [[nodiscard]] const std::string& last_failure() const noexcept { return failure_; }

 private:
  bool ready() {
    if (client_) return true;
    auto resolved = s3::resolve(overrides_, s3::system_environment);
    if (auto* why = std::get_if<std::string>(&resolved)) {
      failure_ = *why;
      return false;
    }
    client_ = std::make_shared<s3::client>(std::get<s3::settings>(std::move(resolved)));
    return true;
  }
  core::error fail(std::string message) {
    failure_ = std::move(message);
    return core::error{core::errc::remote_error, 0, 0, 0};
  }

  s3::overrides overrides_;
  std::shared_ptr<s3::client> client_;
  std::string failure_;
};

// The inputs to scan, in order: local paths as given, s3:// prefixes replaced by their captures.
// A prefix that cannot be listed is reported like an input that cannot be opened.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs,
                                       remote_inputs& remote,
                                       std::vector<pipeline::input_report>& reports, int& code) {
  std::vector<std::string> out;
  for (const std::string& path : inputs) {
    if (!s3::is_s3_uri(path)) {
      out.push_back(path);
      continue;
    }
    auto objects = remote.expand(path);
    if (objects.empty()) {
      pipeline::input_report r;
      r.name = path;
      r.error = core::error{core::errc::remote_error, 0, 0, 0};
      r.error_detail = remote.last_failure();
      fmt::print(stderr, "ouiscan: {}\n", r.error_detail);
      reports.push_back(std::move(r));
      code = exit_io_error;
      continue;
    }
    out.insert(out.end(), objects.begin(), objects.end());
  }
  return out;
}

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

// The terminal's width when the output is one (the table then fits it), else 0.
std::size_t terminal_width(std::FILE* out) {
  if (isatty(fileno(out)) == 0) return 0;
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long n = std::strtol(columns, nullptr, 10);
    if (n > 0) return static_cast<std::size_t>(n);
  }
  return 80;
}

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int /*signal*/) { g_interrupted.store(true); }

// Captures from an interface until --duration, --count or Ctrl-C, into the scanner. On a
// terminal a status line runs on stderr; with -f jsonl each new address is written the moment
// it is first seen, before the final inventory.
int scan_live(const run_options& options, pipeline::scanner& scanner,
              std::vector<pipeline::input_report>& reports, std::FILE* out,
              const ouidb::database& db) {
  live::live_options lo;
  lo.interface = options.live_interface;
  lo.duration_s = options.duration_s;
  lo.count = options.count;
  lo.write_path = options.write_path;
  lo.stop = &g_interrupted;
  live::capture_stats stats;
  lo.stats = &stats;
  std::uint64_t last_addresses = 0;
  bool drawn = false;
  if (options.output_format == report::format::jsonl) {
    lo.on_new_address = [&](core::mac_address mac, std::int64_t ts_ns) {
      fmt::memory_buffer b;
      report::append_raw(b, "{\"type\":\"new_address\",\"data\":{\"address\":\"");
      report::append_raw(b, mac.to_string());
      report::append_raw(b, "\",\"first_seen\":");
      report::append_json_time(b, ts_ns);
      b.push_back(',');
      report::append_json_fields(b, report::describe(&db, mac), mac);
      report::append_raw(b, "}}\n");
      std::fwrite(b.data(), 1, b.size(), out);
      std::fflush(out);
    };
  }
  if (!options.quiet && isatty(STDERR_FILENO) != 0 && options.progress != progress_mode::never) {
    lo.on_status = [&](const live::live_status& st) {
      fmt::print(stderr, "\r{}: {} frames, {} addresses ({} new), {:.0f} s\033[K",
                 options.live_interface, st.frames, st.addresses, st.addresses - last_addresses,
                 st.seconds);
      last_addresses = st.addresses;
      drawn = true;
    };
  }
  auto opened = live::open_live(lo);
  if (auto* why = std::get_if<std::string>(&opened)) {
    fmt::print(stderr, "ouiscan: cannot capture on {}: {}\n", options.live_interface, *why);
    return exit_io_error;
  }
  std::signal(SIGINT, on_interrupt);  // Ctrl-C ends the capture and prints the inventory
  std::signal(SIGTERM, on_interrupt);
  if (!options.quiet) {
    fmt::print(stderr, "ouiscan: capturing on {} (Ctrl-C to stop)\n", options.live_interface);
  }
  {
    io::input in;
    in.name = "live:" + options.live_interface;
    in.stream = std::move(std::get<std::unique_ptr<io::byte_stream>>(opened));
    reports.push_back(scanner.scan(in));
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (drawn) std::fputs("\r\033[K", stderr);
  if (!options.quiet && stats.known) {
    // tcpdump's closing counts.
    fmt::print(stderr, "ouiscan: {}: {} packets received by filter, {} dropped by kernel{}\n",
               options.live_interface, stats.received, stats.dropped,
               stats.if_dropped != 0 ? fmt::format(", {} dropped by interface", stats.if_dropped)
                                     : std::string());
  }
  return exit_ok;
}

}  // namespace

int run(const run_options& options) {
  const auto start = clock::now();
  std::FILE* out = stdout;
  if (!options.output_path.empty() && options.output_path != "-") {
    out = std::fopen(options.output_path.c_str(), "w");
    if (out == nullptr) {
      fmt::print(stderr, "ouiscan: cannot write {}: {}\n", options.output_path,
                 std::strerror(errno));
      return exit_io_error;
    }
  }
  const bool show_progress =
      options.progress == progress_mode::always ||
      (options.progress == progress_mode::automatic && !options.quiet && isatty(STDERR_FILENO));

  auto db = vendor_db::open(options.db_path);
  if (!db) {
    fmt::print(stderr, "{}\n", vendor_db::failure(options.db_path, db.error()));
    return exit_io_error;
  }
  if (!db->notice().empty() && !options.quiet) fmt::print(stderr, "{}\n", db->notice());
  std::unique_ptr<filter::bpf_filter> capture_filter;
  if (!options.filter.empty()) {
    auto compiled = filter::bpf_filter::compile(options.filter);
    if (auto* why = std::get_if<std::string>(&compiled)) {
      fmt::print(stderr, "ouiscan: invalid filter '{}': {}\n", options.filter, *why);
      return exit_usage;
    }
    capture_filter = std::move(std::get<std::unique_ptr<filter::bpf_filter>>(compiled));
  }
  std::unique_ptr<time_window> window;
  const bool windowed = options.since_ns != std::numeric_limits<std::int64_t>::min() ||
                        options.until_ns != std::numeric_limits<std::int64_t>::max();
  if (windowed) {
    window =
        std::make_unique<time_window>(options.since_ns, options.until_ns, capture_filter.get());
  }
  pipeline::scan_options scan_opts;
  scan_opts.filter =
      window ? static_cast<const pipeline::frame_filter*>(window.get()) : capture_filter.get();
  // Live captures stop at the count themselves (and then end); files and streams are counted.
  scan_opts.max_frames = options.live_interface.empty() ? options.count : 0;
  scan_opts.threads = options.threads;
  scan_opts.chunk_bytes = options.chunk_bytes;
  scan_opts.max_addresses = options.max_addresses;
  scan_opts.resync = options.resync;
  pipeline::scanner scanner(scan_opts);
  std::vector<pipeline::input_report> reports;
  int code = exit_ok;
  if (!options.live_interface.empty()) {
    const int rc = scan_live(options, scanner, reports, out, db->get());
    if (rc != exit_ok) return rc;
  }
  remote_inputs remote(options.s3);
  for (const std::string& path : expand_inputs(options.inputs, remote, reports, code)) {
    auto in = s3::is_s3_uri(path) ? remote.open(path) : io::open_input(path);
    if (!in) {
      pipeline::input_report r;
      r.name = path == "-" ? "<stdin>" : path;
      r.error = in.error();
      if (s3::is_s3_uri(path)) {
        r.error_detail = remote.last_failure();
        fmt::print(stderr, "ouiscan: {}\n", r.error_detail);
      } else {
        fmt::print(stderr, "ouiscan: {}: cannot open: {}\n", r.name,
                   std::strerror(in.error().sys_errno));
      }
      reports.push_back(std::move(r));
      code = exit_io_error;
      continue;
    }
    pipeline::input_report r;
    {
      std::unique_ptr<progress_bar> bar;
      if (show_progress) {
        bar = std::make_unique<progress_bar>(in->name, in->size);
      }
      scanner.set_progress(bar ? bar->counter() : nullptr);
      r = scanner.scan(*in);
      scanner.set_progress(nullptr);
    }
    if (!options.quiet) warn_skips(r);
    if (!r.skipped.empty()) code = std::max(code, int{exit_input_damaged});
    if (r.error) {
      if (!options.quiet) warn_input(r, scanner.addresses().size(), options.strict);
      if (core::is_read_failure(r.error->code)) {
        code = std::max(code, int{exit_io_error});
      } else if (!only_cut_short(r) || options.strict) {
        code = std::max(code, int{exit_input_damaged});
      }
    }
    reports.push_back(std::move(r));
  }

  if (capture_filter && !options.quiet) {
    for (const auto& inapplicable : capture_filter->inapplicable()) {
      const std::uint16_t link_type = inapplicable.first;
      const std::string& why = inapplicable.second;
      const bool seen = std::any_of(reports.begin(), reports.end(), [&](const auto& r) {
        return std::any_of(r.counters.links.begin(), r.counters.links.end(),
                           [&](const auto& l) { return l.link_type == link_type; });
      });
      if (!seen) continue;  // only compiled to check the expression
      fmt::print(stderr,
                 "ouiscan: warning: the filter cannot apply to LINKTYPE {} ({}); its frames "
                 "are dropped\n",
                 link_type, why);
    }
  }
  std::uint64_t over_cap = 0;
  for (const auto& r : reports) over_cap += r.counters.addresses_over_cap;
  if (over_cap > 0 && !options.quiet) {
    fmt::print(stderr,
               "ouiscan: warning: the cap of {} distinct addresses was reached; {} later "
               "sightings of new addresses were counted but not kept (raise --max-addresses)\n",
               options.max_addresses, over_cap);
  }
  // --online: the prefixes the offline database cannot name, each asked once.
  report::online_summary online_report;
  online::outcome asked;
  report::vendor_fallback fallback;
  if (options.online) {
    std::set<online::prefix> wanted;
    scanner.addresses().for_each([&](core::mac_address mac, const pipeline::address_stats&) {
      if (auto p = online::needs_lookup(&db->get(), mac)) wanted.insert(*p);
    });
    asked = online::resolve(wanted, options.api);
    online_report.used = true;
    online_report.service = options.api.service.name;
    online_report.prefixes = wanted.size();
    online_report.from_cache = asked.from_cache;
    online_report.requests = asked.requests;
    for (const auto& [p, a] : asked.answers)
      ++(a.found ? online_report.found : online_report.not_found);
    for (const auto& [p, why] : asked.unresolved)
      online_report.unresolved.emplace_back(p.text(), why);
    if (!asked.unresolved.empty() && !options.quiet) {
      std::string list;
      std::size_t shown = 0;
      for (const auto& [p, why] : asked.unresolved) {
        if (shown++ == 5) {
          list += fmt::format(", ... {} more", asked.unresolved.size() - 5);
          break;
        }
        list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", p.text(), why);
      }
      fmt::print(stderr, "ouiscan: warning: --online left {} prefixes unresolved: {}\n",
                 asked.unresolved.size(), list);
    }
    fallback = [&](core::mac_address mac, report::vendor_info& v) {
      const auto p = online::needs_lookup(mac, v.match);  // v holds the offline answer
      const auto it = p ? asked.answers.find(*p) : asked.answers.end();
      if (it == asked.answers.end() || !it->second.found) return false;
      v.organization = it->second.vendor;
      v.holders = {it->second.vendor};
      v.source = it->second.source;
      v.source_time = it->second.fetched;
      return true;
    };
  }
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();
  report::inventory inv = report::make_inventory(scanner.addresses(), std::move(reports), seconds,
                                                 &db->get(), fallback);
  inv.online = std::move(online_report);
  inv.database = db->describe();
  inv.filter = options.filter;
  inv.since_ns = options.since_ns;
  inv.until_ns = options.until_ns;
  inv.top = options.top;
  inv.width = terminal_width(out);
  inv.rss_anon_bytes = anonymous_memory();
  inv.database_date = db->get().header().registries[0].snapshot_date;
  report::sort_entries(inv, options.sort);
  bool written = report::write(out, inv, options.output_format);
  // Standard output carries only data. The human summary goes to stderr after a table or CSV
  // (JSON carries its own summary), and with --stats after any format; -q drops it.
  const bool text_format = options.output_format == report::format::table ||
                           options.output_format == report::format::csv;
  if (options.stats || (text_format && !options.quiet)) report::write_summary_text(stderr, inv);
  written = std::fflush(out) == 0 && written;
  if (out != stdout) written = std::fclose(out) == 0 && written;
  if (!written && errno != EPIPE) {
    fmt::print(stderr, "ouiscan: writing the output failed: {}\n", std::strerror(errno));
    return exit_io_error;
  }
  return code;
}

}  // namespace ouiscan::app
