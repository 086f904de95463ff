// File: resolver.h
// The live vendor API fallback (`--online`): the prefixes the offline database cannot resolve
// are asked of a web API, each prefix once, with only the prefix bits sent (the rest zeroed),
// concurrently (libcurl multi) under a token-bucket rate, an overall budget, Retry-After on 429
// and backoff on failures; answers (found and not found) are kept in a cache file so that a
// second run over the same capture asks nothing. Never used unless asked for.
//
//   online::options o{.api = online::provider_defaults(online::provider::macvendors)};
//   auto got = online::resolve(prefixes, o);
//   for (auto& [p, a] : got.answers) if (a.found) use(a.vendor);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ouiscan/core/mac_address.h"
#include "ouiscan/ouidb/database.h"

namespace ouiscan::online {

// The first `bits` bits of an address: what is sent and what is cached.
struct prefix {
  std::uint64_t value = 0;  // right-aligned
  std::uint8_t bits = 24;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const prefix&, const prefix&) = default;
  // "aa:bb:cc:00:00:00": the prefix with the address's own bits zeroed.
  [[nodiscard]] std::string query_address() const;
  [[nodiscard]] std::string text() const;  // "aabbcc/24"
};

// Whether an address may be asked about, and as which prefix: universally administered
// unicast addresses only, when the offline database has no holder for them (24 bits), or only
// knows their block is subdivided with the sub-block unassigned (36 bits).
[[nodiscard]] std::optional<prefix> needs_lookup(const ouidb::database* db, core::mac_address mac);
// The same from the database's answer for the address, when it has been looked up already.
[[nodiscard]] std::optional<prefix> needs_lookup(core::mac_address mac, const ouidb::match& m);

enum class provider : std::uint8_t { macvendors, maclookup };

struct api {
  provider kind = provider::macvendors;
  std::string base_url;   // no trailing slash
  std::string name;       // shown as the vendor's source: the API's host
  double rate_per_s = 1;  // the free tier's rate
  std::string api_key;    // maclookup: optional (OUISCAN_MACLOOKUP_API_KEY); never logged
};

// api.macvendors.com: 1 request/s (1,000 a day); api.maclookup.app v2: 2/s (10,000 a day).
[[nodiscard]] api provider_defaults(provider p);

struct options {
  api service;
  unsigned budget = 500;          // requests at most in this run
  unsigned concurrency = 4;       // requests in flight at most
  double timeout_s = 10;          // per request
  unsigned retries = 3;           // per prefix, after 5xx, timeouts, resets, garbage
  unsigned max_rate_limited = 5;  // 429 answers tolerated per prefix
  std::string cache_path;         // "" : no cache
  double found_ttl_s = 30 * 86400.0;
  double not_found_ttl_s = 7 * 86400.0;
  std::string ca_file;
};

struct answer {
  bool found = false;
  std::string vendor;
  std::string source;        // the API's name
  std::int64_t fetched = 0;  // Unix seconds
  bool from_cache = false;
};

struct outcome {
  std::map<prefix, answer> answers;          // found and not-found answers
  std::map<prefix, std::string> unresolved;  // why not: "budget", "rate limited", "HTTP 500", ...
  unsigned requests = 0;
  unsigned from_cache = 0;
};

[[nodiscard]] outcome resolve(const std::set<prefix>& wanted, const options& o);

// $XDG_CACHE_HOME/ouiscan/vendors.tsv (default ~/.cache/ouiscan/vendors.tsv).
[[nodiscard]] std::string default_cache_path();

}  // namespace ouiscan::online
