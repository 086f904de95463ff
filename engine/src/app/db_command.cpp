#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "download.h"
#include "ouiscan/app/run.h"
#include "ouiscan/ouidb/builder.h"
#include "ouiscan/ouidb/diff.h"
#include "vendor_db.h"

namespace ouiscan::app {
namespace {

// Minimum rows per registry for a download to be believed (the 2026 files hold 39,455 / 6,411 /
// 7,018 / 4,575 / 212): a truncated or substituted file fails here instead of replacing a good
// database. Wireshark's make-manuf applies the same kind of check.
constexpr std::array<std::uint32_t, ouidb::registry_count> kMinRows = {30000, 4000, 4000, 4000,
                                                                       100};

// Writes data to path atomically: a temporary file in the same folder, fsync, rename.
bool write_atomically(const std::string& path, std::span<const std::byte> data, std::string& why) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    why = tmp + ": " + std::strerror(errno);
    return false;
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == data.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    why = path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

std::uint32_t yyyymmdd(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  return static_cast<std::uint32_t>((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
                                    tm.tm_mday);
}

// The IEEE's CSVs carry no date. A folder named with a date (2026-05-21, ieee-2026-05-21)
// dates its snapshot; otherwise the day oui.csv was last modified. `source` says which.
std::uint32_t snapshot_date_of(const std::string& dir, std::string& source) {
  const std::string name = std::filesystem::path(dir).filename().string();
  for (std::size_t i = 0; i + 10 <= name.size(); ++i) {
    if (const auto d = ouidb::parse_date(name.substr(i, 10)); d != 0) {
      source = fmt::format("from the folder's name '{}'", name);
      return d;
    }
  }
  struct stat st {};
  if (::stat((dir + "/oui.csv").c_str(), &st) == 0) {
    source = "from the day oui.csv was last modified (the CSVs carry no date; --date sets one)";
    return yyyymmdd(st.st_mtime);
  }
  source = "unknown";
  return 0;
}

void print_registries(const ouidb::database& db) {
  const auto& h = db.header();
  for (std::size_t r = 0; r < ouidb::registry_count; ++r) {
    fmt::print("  {:<5} {:>6} rows  snapshot {}\n",
               ouidb::to_string(static_cast<ouidb::registry>(r)), h.registries[r].rows,
               format_date(h.registries[r].snapshot_date));
  }
}

}  // namespace

int run_db_info(const db_options& options) {
  auto db = vendor_db::open_for_command(options.db_path, false);
  if (!db) return exit_io_error;
  const char* why = db->source() == vendor_db::origin::option ? "--db"
                    : db->source() == vendor_db::origin::user ? "refreshed by `ouiscan db update`"
                                                              : "compiled into ouiscan";
  fmt::print("database  {} ({})\n", db->describe(), why);
  fmt::print("format    version {}, {} bytes, {} distinct organisation names\n",
             db->get().header().version, db->get().size_bytes(), db->get().header().name_count);
  print_registries(db->get());
  if (db->source() == vendor_db::origin::embedded) {
    fmt::print("user copy {} (absent)\n", vendor_db::user_path());
  }
  return exit_ok;
}

int run_db_update(const db_options& options) {
  ouidb::csv_set csvs;
  if (!options.from_dir.empty()) {
    auto read = ouidb::read_csv_dir(options.from_dir);
    if (const auto* e = read ? nullptr : &read.error()) {
      fmt::print(stderr, "ouiscan: db update: {}\n", e->message);
      return exit_io_error;
    }
    csvs = std::move(*read);
    std::string source = "from --date";
    const std::uint32_t date = !options.date.empty() ? ouidb::parse_date(options.date)
                                                     : snapshot_date_of(options.from_dir, source);
    if (date == 0 && !options.date.empty()) {
      fmt::print(stderr, "ouiscan: db update: --date '{}' is not a date (YYYY-MM-DD)\n",
                 options.date);
      return exit_usage;
    }
    csvs.snapshot.fill(date);
    fmt::print("snapshot date {} ({})\n", format_date(date), source);
  } else {
    auto fetched = download_csvs(options);
    if (const std::string* why = fetched ? nullptr : &fetched.error().message) {
      fmt::print(stderr, "ouiscan: db update: {}; the current database is unchanged\n", *why);
      return exit_io_error;
    }
    csvs = std::move(*fetched);
    // The registries are published daily: a download is a snapshot of the day it was made.
    csvs.snapshot.fill(yyyymmdd(std::time(nullptr)));
  }
  csvs.min_rows = kMinRows;
  auto built = ouidb::build(csvs);
  if (const auto* e = built ? nullptr : &built.error()) {
    fmt::print(stderr, "ouiscan: db update: {} line {}: {}; the current database is unchanged\n",
               ouidb::csv_name(e->reg), e->line, e->message);
    return exit_input_damaged;
  }
  auto& fresh = *built;
  // Keep the new bytes 8-byte aligned for database::open.
  std::vector<std::uint64_t> aligned((fresh.bytes.size() + 7) / 8);
  std::memcpy(aligned.data(), fresh.bytes.data(), fresh.bytes.size());
  auto after = ouidb::database::open(
      core::bytes(reinterpret_cast<const std::byte*>(aligned.data()), fresh.bytes.size()));
  if (!after) {
    fmt::print(stderr, "ouiscan: db update: the new database fails validation\n");
    return exit_input_damaged;
  }
  const std::string target = options.output.empty() ? vendor_db::user_path() : options.output;
  std::string why;
  // Compare with what is in use now: the target if it exists, else the embedded database.
  auto current =
      ::access(target.c_str(), F_OK) == 0 ? vendor_db::open(target) : vendor_db::open("");
  if (!write_atomically(target, fresh.bytes, why)) {
    fmt::print(stderr, "ouiscan: db update: cannot write {}; the current database is unchanged\n",
               why);
    return exit_io_error;
  }
  remember_downloads(csvs);
  fmt::print("wrote {} ({} bytes)\n", target, fresh.bytes.size());
  print_registries(*after);
  if (current) {
    const auto d = ouidb::diff(current->get(), *after);
    fmt::print("changes against {}:\n", current->describe());
    for (std::size_t r = 0; r < ouidb::registry_count; ++r) {
      fmt::print("  {:<5} {} added, {} removed, {} renamed\n",
                 ouidb::to_string(static_cast<ouidb::registry>(r)), d[r].added, d[r].removed,
                 d[r].renamed);
    }
  }
  return exit_ok;
}

}  // namespace ouiscan::app
