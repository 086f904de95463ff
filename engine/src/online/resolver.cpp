#include "ouiscan/online/resolver.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ouiscan/http/http_client.h"
#include "ouiscan/ouidb/classify.h"

namespace ouiscan::online {
namespace {

using clock = std::chrono::steady_clock;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- the cache file: one answer per line, "prefix<TAB>F|N<TAB>unix<TAB>source<TAB>vendor" ----

std::optional<prefix> parse_prefix(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash > 12) return std::nullopt;
  prefix p;
  p.bits = static_cast<std::uint8_t>(
      std::strtoul(std::string(text.substr(slash + 1)).c_str(), nullptr, 10));
  if (p.bits != 24 && p.bits != 36) return std::nullopt;
  for (const char c : text.substr(0, slash)) {
    const int d = core::hex_digit(c);
    if (d < 0) return std::nullopt;
    p.value = (p.value << 4) | static_cast<unsigned>(d);
  }
  return p;
}

std::map<prefix, answer> load_cache(const std::string& path) {
  std::map<prefix, answer> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) f.push_back(field);
    if (f.size() < 4) continue;
    const auto p = parse_prefix(f[0]);
    if (!p || (f[1] != "F" && f[1] != "N")) continue;
    answer a;
    a.found = f[1] == "F";
    a.fetched = std::strtoll(f[2].c_str(), nullptr, 10);
    a.source = f[3];
    a.vendor = f.size() > 4 ? f[4] : "";
    a.from_cache = true;
    out[*p] = std::move(a);
  }
  return out;
}

std::string one_field(std::string_view s) {
  std::string out;
  for (const char c : s) out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

// Merges `fresh` into the file under an exclusive lock, newest answer winning, and replaces it
// atomically (temporary file, then rename), so that concurrent runs lose nothing.
void save_cache(const std::string& path, const std::map<prefix, answer>& fresh) {
  if (path.empty() || fresh.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const std::string lock_path = path + ".lock";
  const int lock = ::open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock < 0) return;
  ::flock(lock, LOCK_EX);
  auto all = load_cache(path);
  for (const auto& [p, a] : fresh) {
    auto it = all.find(p);
    if (it == all.end() || it->second.fetched <= a.fetched) all[p] = a;
  }
  const std::string temp = fmt::format("{}.{}.tmp", path, ::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    for (const auto& [p, a] : all) {
      out << p.text() << '\t' << (a.found ? 'F' : 'N') << '\t' << a.fetched << '\t'
          << one_field(a.source) << '\t' << one_field(a.vendor) << '\n';
    }
    out.flush();
    if (!out) {
      ::unlink(temp.c_str());
      ::close(lock);
      return;
    }
  }
  std::filesystem::rename(temp, path, ec);
  if (ec) ::unlink(temp.c_str());
  ::close(lock);
}

// ---- requests ----

struct job {
  prefix p;
  unsigned failures = 0;
  unsigned rate_limited = 0;
};

struct transfer {
  job j;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;
  double retry_after_s = -1;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  if (t->body.size() < 64 * 1024) t->body.append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<transfer*>(user);
  std::string line(data, size * n);
  std::transform(line.begin(), line.end(), line.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (line.starts_with("retry-after:")) {
    char* end = nullptr;
    const double s = std::strtod(line.c_str() + 12, &end);
    t->retry_after_s = end != line.c_str() + 12 ? std::clamp(s, 0.0, 120.0) : 1.0;
  }
  return size * n;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// A vendor name as a plain-text API sends it: short, printable, not an HTML error page.
bool plausible_name(std::string_view s) {
  if (s.empty() || s.size() > 256 || s.find('<') != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20 || c == '\t'; });
}

enum class verdict : std::uint8_t { found, not_found, retry, give_up };

struct reading {
  verdict v = verdict::give_up;
  std::string vendor;
  std::string why;
};

reading read_answer(provider kind, long status, const std::string& body) {
  if (status == 404 && kind == provider::macvendors) return {verdict::not_found, {}, {}};
  if (status >= 500 || status == 0) return {verdict::retry, {}, fmt::format("HTTP {}", status)};
  if (status != 200) return {verdict::give_up, {}, fmt::format("HTTP {}", status)};
  if (kind == provider::macvendors) {
    std::string name = trim(body);
    if (!plausible_name(name)) return {verdict::retry, {}, "an answer that is not a name"};
    return {verdict::found, std::move(name), {}};
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) {
    return {verdict::retry, {}, "an answer that is not JSON"};
  }
  bool success = false;
  bool found = false;
  std::string_view company;
  if (doc["success"].get(success) != simdjson::SUCCESS || !success ||
      doc["found"].get(found) != simdjson::SUCCESS) {
    return {verdict::retry, {}, "a JSON answer without success/found"};
  }
  if (!found) return {verdict::not_found, {}, {}};
  if (doc["company"].get(company) != simdjson::SUCCESS || !plausible_name(trim(company))) {
    return {verdict::retry, {}, "a JSON answer without a company"};
  }
  return {verdict::found, trim(company), {}};
}

}  // namespace

std::string prefix::query_address() const {
  const std::uint64_t full = value << (48 - bits);
  return core::mac_address(full).to_string();
}

std::string prefix::text() const { return fmt::format("{:0{}x}/{}", value, bits / 4, bits); }

std::optional<prefix> needs_lookup(const ouidb::database* db, core::mac_address mac) {
  return needs_lookup(mac, db != nullptr ? db->lookup(mac) : ouidb::match{});
}

std::optional<prefix> needs_lookup(core::mac_address mac, const ouidb::match& m) {
  if (core::class_of(mac) != core::address_class::unicast || mac.is_local()) return std::nullopt;
  if (m.status == ouidb::match_status::not_found) return prefix{mac.value() >> 24, 24};
  if (m.status == ouidb::match_status::unassigned_subblock) return prefix{mac.value() >> 12, 36};
  return std::nullopt;
}

api provider_defaults(provider p) {
  api a;
  a.kind = p;
  if (p == provider::macvendors) {
    a.base_url = "https://api.macvendors.com";
    a.name = "api.macvendors.com";
    a.rate_per_s = 1;
  } else {
    a.base_url = "https://api.maclookup.app";
    a.name = "api.maclookup.app";
    a.rate_per_s = 2;
    if (const char* key = std::getenv("OUISCAN_MACLOOKUP_API_KEY")) a.api_key = key;
  }
  return a;
}

std::string default_cache_path() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/ouiscan/vendors.tsv";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.cache/ouiscan/vendors.tsv";
}

outcome resolve(const std::set<prefix>& wanted, const options& o) {
  outcome out;
  const std::int64_t now_unix = unix_now();
  const auto cache = o.cache_path.empty() ? std::map<prefix, answer>{} : load_cache(o.cache_path);
  std::deque<job> ready;
  for (const prefix& p : wanted) {
    const auto it = cache.find(p);
    if (it != cache.end() && it->second.source == o.service.name) {
      const double ttl = it->second.found ? o.found_ttl_s : o.not_found_ttl_s;
      if (static_cast<double>(now_unix - it->second.fetched) < ttl) {
        out.answers[p] = it->second;
        ++out.from_cache;
        continue;
      }
    }
    ready.push_back({p});
  }
  if (ready.empty()) return out;

  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialised;
  CURLM* multi = curl_multi_init();
  std::vector<std::pair<clock::time_point, job>> waiting;  // backing off
  std::vector<std::unique_ptr<transfer>> active;
  std::map<prefix, answer> fresh;
  const auto spacing = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(o.service.rate_per_s, 0.001)));
  clock::time_point next_start = clock::now();
  http::http_options transfer_options;
  transfer_options.ca_file = o.ca_file;
  transfer_options.user_agent = "ouiscan/0.1";
  transfer_options.connect_timeout_s = o.timeout_s;
  transfer_options.total_timeout_s = o.timeout_s;
  transfer_options.low_speed_window_s = 0;
  transfer_options.follow_redirects = false;
  transfer_options.accept_compressed = false;
  std::mt19937 jitter(std::random_device{}());

  const auto start = [&](job j) {
    auto t = std::make_unique<transfer>();
    t->j = j;
    t->easy = curl_easy_init();
    std::string url = o.service.kind == provider::macvendors
                          ? fmt::format("{}/{}", o.service.base_url, j.p.query_address())
                          : fmt::format("{}/v2/macs/{}", o.service.base_url, j.p.query_address());
    if (o.service.kind == provider::maclookup && !o.service.api_key.empty()) {
      url += "?apiKey=" + o.service.api_key;
    }
    CURL* c = t->easy;
    http::configure_transfer(c, transfer_options);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    t->headers = curl_slist_append(nullptr, "Accept: application/json, text/plain");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(c, CURLOPT_PRIVATE, t.get());
    curl_multi_add_handle(multi, c);
    active.push_back(std::move(t));
    ++out.requests;
  };
  const auto back_off = [&](job j, double seconds) {
    waiting.emplace_back(clock::now() + std::chrono::duration_cast<clock::duration>(
                                            std::chrono::duration<double>(seconds)),
                         j);
  };
  const auto finish = [&](transfer& t, CURLcode rc) {
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    job j = t.j;
    if (rc == CURLE_OK && status == 429) {
      // The provider's own pace: nothing starts before Retry-After has passed.
      const double wait = t.retry_after_s >= 0 ? t.retry_after_s : 1.0;
      next_start = std::max(next_start, clock::now() + std::chrono::duration_cast<clock::duration>(
                                                           std::chrono::duration<double>(wait)));
      if (++j.rate_limited > o.max_rate_limited) {
        out.unresolved[j.p] = "rate limited (HTTP 429)";
      } else {
        back_off(j, wait);
      }
      return;
    }
    const reading r = rc == CURLE_OK ? read_answer(o.service.kind, status, t.body)
                                     : reading{verdict::retry, {}, curl_easy_strerror(rc)};
    switch (r.v) {
      case verdict::found:
      case verdict::not_found: {
        answer a;
        a.found = r.v == verdict::found;
        a.vendor = r.vendor;
        a.source = o.service.name;
        a.fetched = unix_now();
        fresh[j.p] = a;
        out.answers[j.p] = a;
        break;
      }
      case verdict::retry:
        if (++j.failures > o.retries) {
          out.unresolved[j.p] = r.why;
        } else {
          std::uniform_real_distribution<double> spread(0.5, 1.0);
          back_off(j, 0.5 * (1U << std::min(j.failures, 6U)) * spread(jitter));
        }
        break;
      case verdict::give_up:
        out.unresolved[j.p] = r.why;
        break;
    }
  };

  while (!ready.empty() || !waiting.empty() || !active.empty()) {
    const auto now = clock::now();
    for (auto it = waiting.begin(); it != waiting.end();) {
      if (it->first <= now) {
        ready.push_back(it->second);
        it = waiting.erase(it);
      } else {
        ++it;
      }
    }
    while (!ready.empty() && active.size() < o.concurrency && clock::now() >= next_start) {
      if (out.requests >= o.budget) {
        for (const job& j : ready) out.unresolved[j.p] = "over the request budget (--api-budget)";
        for (const auto& w : waiting) {
          out.unresolved[w.second.p] = "over the request budget (--api-budget)";
        }
        ready.clear();
        waiting.clear();
        break;
      }
      start(ready.front());
      ready.pop_front();
      next_start = clock::now() + spacing;  // starts are never closer than the rate allows
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      finish(*t, msg->data.result);
      curl_multi_remove_handle(multi, t->easy);
      curl_easy_cleanup(t->easy);
      curl_slist_free_all(t->headers);
      std::erase_if(active, [&](const auto& a) { return a.get() == t; });
    }
    // Sleep until a transfer moves, a token is due, or a backoff ends.
    auto wake = clock::now() + std::chrono::milliseconds(200);
    if (!ready.empty()) wake = std::min(wake, std::max(next_start, clock::now()));
    for (const auto& w : waiting) wake = std::min(wake, w.first);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - clock::now());
    if (!active.empty() || !ready.empty() || !waiting.empty()) {
      curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::max<long>(ms.count(), 1)), nullptr);
    }
  }
  curl_multi_cleanup(multi);
  save_cache(o.cache_path, fresh);
  return out;
}

}  // namespace ouiscan::online
