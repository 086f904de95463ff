// File: vendor_db.h
// Chooses and opens the OUI database: --db PATH, else the user's refreshed copy in the XDG data
// folder ($XDG_DATA_HOME/ouiscan/oui.bin, default ~/.local/share), else the embedded snapshot.
//
//   auto db = app::vendor_db::open("");      // the usual precedence
//   if (db) db->get().lookup(mac);
#pragma once

#include <optional>
#include <string>

#include "ouiscan/core/error.h"
#include "ouiscan/io/mapped_file.h"
#include "ouiscan/ouidb/database.h"

namespace ouiscan::app {

class vendor_db {
 public:
  enum class origin : std::uint8_t { option, user, embedded };

  // explicit_path: the --db option ("" when not given); embedded_only skips the user's copy.
  [[nodiscard]] static core::result<vendor_db> open(const std::string& explicit_path,
                                                    bool embedded_only = false);
  // open() for a command: on failure says why on stderr, naming the file (the command then
  // exits with exit_io_error); otherwise says the notice, if any and not quiet.
  [[nodiscard]] static std::optional<vendor_db> open_for_command(const std::string& explicit_path,
                                                                 bool quiet);
  // Where a refreshed database is kept for this user.
  [[nodiscard]] static std::string user_path();

  [[nodiscard]] const ouidb::database& get() const noexcept { return db_; }
  [[nodiscard]] origin source() const noexcept { return origin_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }  // "" if embedded
  // "embedded", or the file path.
  [[nodiscard]] std::string describe() const;
  // Non-empty when the user's refreshed copy was passed over (unreadable, damaged, or written in
  // another format version by another ouiscan) for the embedded database: one line, for stderr.
  [[nodiscard]] const std::string& notice() const noexcept { return notice_; }

 private:
  std::optional<io::mapped_file> map_;
  ouidb::database db_;
  origin origin_ = origin::embedded;
  std::string path_;
  std::string notice_;
};

// "2026-05-21" from 20260521 (empty for 0).
[[nodiscard]] std::string format_date(std::uint32_t yyyymmdd);

}  // namespace ouiscan::app
