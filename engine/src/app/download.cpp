// Fetching the IEEE registry CSVs for `ouiscan db update`, with conditional GET: each file's
// ETag / Last-Modified and body are kept in the user's cache folder, so an unchanged registry is
// not downloaded again. The cache is updated only after the new database has been written.
#include "download.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ouiscan/app/run.h"
#include "ouiscan/http/http_client.h"
#include "ouiscan/ouidb/builder.h"

namespace ouiscan::app {
namespace {

constexpr std::string_view kDefaultBase = "https://standards-oui.ieee.org";
// The IEEE server answers HTTP 418 to library user agents: send a browser-like one.
constexpr const char* kUserAgent =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 ouiscan/0.1";

std::string_view url_path(ouidb::registry r) {
  switch (r) {
    case ouidb::registry::ma_l:
      return "/oui/oui.csv";
    case ouidb::registry::ma_m:
      return "/oui28/mam.csv";
    case ouidb::registry::ma_s:
      return "/oui36/oui36.csv";
    case ouidb::registry::iab:
      return "/iab/iab.csv";
    case ouidb::registry::cid:
      return "/cid/cid.csv";
  }
  return "";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

}  // namespace

std::string cache_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/ouiscan/ieee";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/ouiscan/ieee";
}

core::result<ouidb::csv_set, core::failure> download_csvs(const db_options& options) {
  http::http_options http_opts;
  http_opts.user_agent = kUserAgent;
  http_opts.ca_file = options.ca_file;
  if (http_opts.ca_file.empty()) {
    if (const char* env = std::getenv("SSL_CERT_FILE"); env != nullptr) http_opts.ca_file = env;
  }
  http_opts.total_timeout_s = options.timeout_s;
  http_opts.low_speed_window_s = std::min(20.0, options.timeout_s);
  http_opts.retries = options.retries;
  if (const char* backoff = std::getenv("OUISCAN_HTTP_BACKOFF_S"); backoff != nullptr) {
    http_opts.backoff_s = std::atof(backoff);  // tests shorten the waits
  }
  http::http_client http(http_opts);
  std::string base = options.url_base.empty() ? std::string(kDefaultBase) : options.url_base;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::filesystem::path cache = cache_dir();

  ouidb::csv_set csvs;
  for (std::size_t r = 0; r < ouidb::registry_count; ++r) {
    const auto reg = static_cast<ouidb::registry>(r);
    const std::string url = base + std::string(url_path(reg));
    const auto body_path = cache / ouidb::csv_name(reg);
    const auto meta_path = cache / (std::string(ouidb::csv_name(reg)) + ".meta");
    http::http_request request;
    if (std::filesystem::exists(body_path) && std::filesystem::exists(meta_path)) {
      std::istringstream meta(read_file(meta_path));
      std::getline(meta, request.if_none_match);
      std::getline(meta, request.if_modified_since);
    }
    auto got = http.get(url, request);
    if (const auto* f = got ? nullptr : &got.error()) {
      std::string why = fmt::format("{}: {} (after {} attempt{})", url, f->message, f->attempts,
                                    f->attempts == 1 ? "" : "s");
      if (f->status == 418) why += "; the server refuses this client: try --url-base with a mirror";
      return core::failure{why};
    }
    auto& response = *got;
    if (response.status == 304) {
      fmt::print("{}: not modified, using the cached copy\n", ouidb::csv_name(reg));
      csvs.text[r] = read_file(body_path);
    } else {
      fmt::print("{}: downloaded {} bytes\n", ouidb::csv_name(reg), response.body.size());
      csvs.text[r] = std::move(response.body);
      csvs.etag[r] = response.etag;
      csvs.last_modified[r] = response.last_modified;
      csvs.fresh[r] = true;
    }
  }
  return csvs;
}

void remember_downloads(const ouidb::csv_set& csvs) {
  const std::filesystem::path cache = cache_dir();
  std::error_code ec;
  std::filesystem::create_directories(cache, ec);
  for (std::size_t r = 0; r < ouidb::registry_count; ++r) {
    if (!csvs.fresh[r]) continue;
    const auto name = std::string(ouidb::csv_name(static_cast<ouidb::registry>(r)));
    std::ofstream(cache / name, std::ios::binary) << csvs.text[r];
    std::ofstream(cache / (name + ".meta")) << csvs.etag[r] << '\n'
                                            << csvs.last_modified[r] << '\n';
  }
}

}  // namespace ouiscan::app
