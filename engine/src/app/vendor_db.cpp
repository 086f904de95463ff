#include "vendor_db.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace ouiscan::app {

std::string vendor_db::user_path() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/ouiscan/oui.bin";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.local/share/ouiscan/oui.bin";
}

namespace {

core::result<vendor_db> open_embedded() { return vendor_db::open(std::string{}, true); }

}  // namespace

core::result<vendor_db> vendor_db::open(const std::string& explicit_path, bool embedded_only) {
  vendor_db v;
  std::string path = explicit_path;
  v.origin_ = origin::option;
  if (path.empty()) {
    path = user_path();
    v.origin_ = origin::user;
    if (embedded_only || ::access(path.c_str(), F_OK) != 0) {
      auto db = ouidb::database::open(ouidb::embedded());
      if (!db) return db.error();
      v.db_ = *db;
      v.origin_ = origin::embedded;
      return v;
    }
  }
  const auto opened = [&]() -> core::result<ouidb::database> {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return core::error{core::errc::io_error, 0, 0, errno};
    auto map = io::mapped_file::open(fd);
    ::close(fd);
    if (!map) return map.error();
    v.map_ = std::move(*map);
    return ouidb::database::open(v.map_->data());
  }();
  if (!opened && v.origin_ == origin::user) {
    // The user's refreshed copy, unreadable, damaged or written by another ouiscan in another
    // format version: a scan must still work, so use the embedded snapshot and say how to
    // bring the copy up to date. A file named by --db is an error instead.
    auto fallback = open_embedded();
    if (fallback) {
      fallback->notice_ = fmt::format(
          "ouiscan: warning: {}: {}; using the embedded database (`ouiscan db update` rewrites "
          "it)",
          path,
          opened.error().code == core::errc::unsupported_version
              ? fmt::format("another database format version (this ouiscan reads version {})",
                            ouidb::format::version)
              : core::to_string(opened.error()));
    }
    return fallback;
  }
  if (!opened) return opened.error();
  v.db_ = *opened;
  v.path_ = path;
  return v;
}

std::optional<vendor_db> vendor_db::open_for_command(const std::string& explicit_path, bool quiet) {
  auto db = open(explicit_path);
  if (!db) {
    fmt::print(stderr, "ouiscan: cannot use the OUI database {}: {}\n",
               explicit_path.empty() ? std::string("compiled in") : explicit_path,
               core::to_string(db.error()));
    return std::nullopt;
  }
  if (!db->notice().empty() && !quiet) fmt::print(stderr, "{}\n", db->notice());
  return std::move(*db);
}

std::string vendor_db::describe() const {
  return origin_ == origin::embedded ? std::string("embedded") : path_;
}

std::string format_date(std::uint32_t d) {
  if (d == 0) return {};
  return fmt::format("{:04}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100);
}

}  // namespace ouiscan::app
