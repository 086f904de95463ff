#include "ouiscan/app/run.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include "ouiscan/diff/diff.h"
#include "ouiscan/merge/merge.h"
#include "ouiscan/merge/result_text.h"
#include "ouiscan/scan/plan.h"
#include "ouiscan/scan/scan.h"
#include "progress_bar.h"
#include "vendor_db.h"

namespace ouiscan::app {
namespace {

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

// What the terminal shows while a scan runs: messages on stderr (warnings dropped by -q), a
// progress bar per input, a live capture's status line, and with -f jsonl each new live
// address written the moment it is first seen, before the final inventory.
class terminal_observer final : public scan::observer {
 public:
  terminal_observer(const run_options& o, std::FILE* out, const ouidb::database& db)
      : options_(o), out_(out), db_(db) {
    const bool on_terminal = isatty(STDERR_FILENO) != 0;
    bars_ = options_.live_interface.empty() &&
            (o.progress == progress_mode::always ||
             (o.progress == progress_mode::automatic && !o.quiet && on_terminal));
    status_line_ =
        !o.live_interface.empty() && !o.quiet && on_terminal && o.progress != progress_mode::never;
  }

  std::atomic<std::uint64_t>* input_started(const std::string& name, std::uint64_t size) override {
    if (!bars_) return nullptr;
    bar_ = std::make_unique<progress_bar>(name, size);
    return bar_->counter();
  }
  void input_finished() override {
    bar_.reset();
    if (drawn_) std::fputs("\r\033[K", stderr);
    drawn_ = false;
  }
  void message(severity level, std::string_view line) override {
    if (level == severity::warning && options_.quiet) return;
    fmt::print(stderr, "ouiscan: {}\n", line);
  }
  void new_address(core::mac_address mac, std::int64_t ts_ns) override {
    if (options_.output_format != report::format::jsonl) return;
    fmt::memory_buffer b;
    text::append_raw(b, "{\"type\":\"new_address\",\"data\":{\"address\":\"");
    text::append_raw(b, mac.to_string());
    text::append_raw(b, "\",\"first_seen\":");
    text::append_json_time(b, ts_ns);
    b.push_back(',');
    report::append_json_fields(b, vendors::describe(&db_, mac), mac);
    text::append_raw(b, "}}\n");
    std::fwrite(b.data(), 1, b.size(), out_);
    std::fflush(out_);
  }
  void live_status(const live::live_status& st) override {
    if (!status_line_) return;
    fmt::print(stderr, "\r{}: {} frames, {} addresses ({} new), {:.0f} s\033[K",
               options_.live_interface, st.frames, st.addresses, st.addresses - last_addresses_,
               st.seconds);
    last_addresses_ = st.addresses;
    drawn_ = true;
  }

 private:
  const run_options& options_;
  std::FILE* out_;
  const ouidb::database& db_;
  bool bars_ = false;
  bool status_line_ = false;
  std::unique_ptr<progress_bar> bar_;
  std::uint64_t last_addresses_ = 0;
  bool drawn_ = false;
};

scan::request request_of(const run_options& o, const vendor_db& db) {
  scan::request r;
  r.inputs = o.inputs;
  r.database = &db.get();
  r.database_name = db.describe();
  r.threads = o.threads;
  r.chunk_bytes = o.chunk_bytes;
  r.max_addresses = o.max_addresses;
  r.resync = o.resync;
  r.range = o.range;
  r.strict = o.strict;
  r.count = o.count;
  r.filter = o.filter;
  r.since_ns = o.since_ns;
  r.until_ns = o.until_ns;
  r.s3 = o.s3;
  r.manuf = o.manuf;
  r.user_names = o.user_names;
  r.online = o.online;
  r.api = o.api;
  r.live.interface = o.live_interface;
  r.live.duration_s = o.duration_s;
  r.live.stop = &g_interrupted;
  return r;
}

// -o PATH (standard output when empty or "-"); null, with the reason printed, when it cannot be
// opened.
std::FILE* open_output(const std::string& path) {
  if (path.empty() || path == "-") return stdout;
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr)
    fmt::print(stderr, "ouiscan: cannot write {}: {}\n", path, std::strerror(errno));
  return out;
}

int write_inventory(report::inventory& inv, scan::outcome worst, const run_options& options,
                    std::FILE* out);

}  // namespace

int run(const run_options& options) {
  std::FILE* out = open_output(options.output_path);
  if (out == nullptr) return exit_io_error;
  auto db = vendor_db::open_for_command(options.db_path, options.quiet);
  if (!db) return exit_io_error;

  // -w: the live capture's frames, also written as pcapng (- : standard output).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> written_frames(nullptr, &std::fclose);
  if (!options.write_path.empty() && options.write_path != "-") {
    written_frames.reset(std::fopen(options.write_path.c_str(), "wb"));
    if (!written_frames) {
      fmt::print(stderr, "ouiscan: cannot write {}: {}\n", options.write_path,
                 std::strerror(errno));
      return exit_io_error;
    }
  }
  terminal_observer watch(options, out, db->get());
  const bool live = !options.live_interface.empty();
  if (live) {
    std::signal(SIGINT, on_interrupt);  // Ctrl-C ends the capture and prints the inventory
    std::signal(SIGTERM, on_interrupt);
  }
  scan::request req = request_of(options, *db);
  req.live.write_to = options.write_path == "-" ? stdout : written_frames.get();
  auto done = scan::run(std::move(req), watch);
  if (live) {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
  if (const auto* refused = done ? nullptr : &done.error()) {
    fmt::print(stderr, "ouiscan: {}\n", refused->message);
    return refused->why == scan::refusal::kind::usage ? exit_usage : exit_io_error;
  }
  auto& [inv, worst, addresses] = *done;
  return write_inventory(inv, worst, options, out);
}

namespace {

int write_inventory(report::inventory& inv, scan::outcome worst, const run_options& options,
                    std::FILE* out) {
  inv.top = options.top;
  inv.width = terminal_width(out);
  report::sort_entries(inv, options.sort);
  bool written = false;
  if (options.diff_path.empty()) {
    // The report renders on as many threads as the scan ran on (-j).
    tbb::task_arena arena(options.threads == 0 ? tbb::task_arena::automatic
                                               : static_cast<int>(options.threads));
    arena.execute([&] { written = report::write(out, inv, options.output_format); });
  } else {
    auto before = diff::read_inventory_file(options.diff_path);
    if (!before) {
      fmt::print(stderr, "ouiscan: --diff: {}\n", before.error().message);
      return exit_io_error;
    }
    written = diff::write(out, diff::compare(*before, diff::of(inv)), options.output_format);
  }
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
  switch (worst) {
    case scan::outcome::ok:
      return exit_ok;
    case scan::outcome::damaged:
      return exit_input_damaged;
    case scan::outcome::unreadable:
      return exit_io_error;
  }
  return exit_ok;
}

}  // namespace

int run_merge(const merge_options& options) {
  const auto start = scan::clock::now();
  std::FILE* out = open_output(options.scan.output_path);
  if (out == nullptr) return exit_io_error;
  auto db = vendor_db::open_for_command(options.scan.db_path, options.scan.quiet);
  if (!db) return exit_io_error;
  merge::merger m;
  scan::outcome worst = scan::outcome::ok;
  scan::result_texts texts(options.scan.s3);
  for (const std::string& path : options.results) {
    auto text = texts.read(path);
    auto added =
        text ? m.add(*text, path) : core::result<std::monostate, core::failure>(text.error());
    if (!added) {
      fmt::print(stderr, "ouiscan: merge: {}: not merged\n", added.error().message);
      worst = scan::outcome::unreadable;
    }
  }
  scan::request req = request_of(options.scan, *db);
  req.filter = m.filter();
  req.since_ns = m.since_ns();
  req.until_ns = m.until_ns();
  scan::observer quiet;
  // A range whose first record was misjudged is walked again here, when the capture can be read.
  const auto rescan = merge::rescan_with([&] { return request_of(options.scan, *db); });
  scan::result done = scan::finish(m.take(rescan), req, quiet, start);
  if (m.rewalked() > 0 && !options.scan.quiet) {
    fmt::print(stderr,
               "ouiscan: merge: {} range(s) whose first record was misjudged were "
               "walked again from where the previous range ended\n",
               m.rewalked());
  }
  done.inventory.merge_rewalked = m.rewalked();
  for (const std::string& p : m.problems()) {
    if (!options.scan.quiet) fmt::print(stderr, "ouiscan: warning: merge: {}\n", p);
  }
  done.inventory.merge_problems = m.problems();
  done.inventory.merged_results = m.results();
  if (worst == scan::outcome::ok) {
    const bool damaged = std::any_of(
        done.inventory.inputs.begin(), done.inventory.inputs.end(),
        [](const auto& r) { return r.error && r.error->code != core::errc::truncated_file; });
    if (damaged || !m.problems().empty()) worst = scan::outcome::damaged;
  }
  return write_inventory(done.inventory, worst, options.scan, out);
}

int run_plan(const plan_options& options) {
  scan::plan_request req;
  req.inputs = options.inputs;
  req.parts = options.parts;
  req.s3 = options.s3;
  if (!options.part_size.empty()) {
    const auto bytes = s3::parse_size(options.part_size);
    if (!bytes || *bytes == 0) {
      fmt::print(stderr, "ouiscan: plan: '{}' is not a size (e.g. 1GiB) (see ouiscan --help)\n",
                 options.part_size);
      return exit_usage;
    }
    req.part_bytes = *bytes;
  }
  if ((req.parts == 0) == (req.part_bytes == 0)) {
    fmt::print(stderr, "ouiscan: plan: give --parts N or --part-size BYTES (see ouiscan --help)\n");
    return exit_usage;
  }
  auto items = scan::plan(req);
  if (!items) {
    fmt::print(stderr, "ouiscan: plan: {}\n", items.error().message);
    return exit_io_error;
  }
  std::FILE* out = open_output(options.output_path);
  if (out == nullptr) return exit_io_error;
  const std::string text = scan::plan_json(*items);
  bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
  written = std::fflush(out) == 0 && written;
  if (out != stdout) written = std::fclose(out) == 0 && written;
  if (!written && errno != EPIPE) {
    fmt::print(stderr, "ouiscan: writing the output failed: {}\n", std::strerror(errno));
    return exit_io_error;
  }
  return exit_ok;
}

int run_diff(const diff_options& options) {
  auto before = diff::read_inventory_file(options.before);
  if (!before) {
    fmt::print(stderr, "ouiscan: diff: {}\n", before.error().message);
    return exit_io_error;
  }
  auto after = diff::read_inventory_file(options.after);
  if (!after) {
    fmt::print(stderr, "ouiscan: diff: {}\n", after.error().message);
    return exit_io_error;
  }
  std::FILE* out = open_output(options.output_path);
  if (out == nullptr) return exit_io_error;
  const diff::changes c = diff::compare(*before, *after);
  bool written = diff::write(out, c, options.output_format);
  if (out != stdout) written = std::fclose(out) == 0 && written;
  if (!written && errno != EPIPE) {
    fmt::print(stderr, "ouiscan: writing the output failed: {}\n", std::strerror(errno));
    return exit_io_error;
  }
  return c.empty() ? exit_ok : 1;
}

}  // namespace ouiscan::app
