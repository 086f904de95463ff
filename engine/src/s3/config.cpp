#include "ouiscan/s3/config.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include "ouiscan/s3/credential_source.h"

namespace ouiscan::s3 {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The INI dialect of ~/.aws/credentials and ~/.aws/config: [section] lines, key = value lines,
// '#' and ';' comments. Nested (indented) sub-settings are skipped.
using ini = std::map<std::string, std::map<std::string, std::string>>;

ini read_ini(const std::string& path) {
  ini out;
  std::ifstream in(path);
  std::string line;
  std::string section;
  while (std::getline(in, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) continue;
    const std::string_view l = trim(line);
    if (l.empty() || l[0] == '#' || l[0] == ';') continue;
    if (l.front() == '[' && l.back() == ']') {
      section = std::string(trim(l.substr(1, l.size() - 2)));
      continue;
    }
    const auto eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    out[section][std::string(trim(l.substr(0, eq)))] = std::string(trim(l.substr(eq + 1)));
  }
  return out;
}

std::string get(const environment& env, const char* name) {
  const char* v = env(name);
  return v != nullptr ? std::string(v) : std::string();
}

std::string lookup(const ini& file, const std::string& section, const std::string& key) {
  const auto s = file.find(section);
  if (s == file.end()) return {};
  const auto k = s->second.find(key);
  return k == s->second.end() ? std::string() : k->second;
}

// The container endpoint when one is configured (it is the task's role, not the instance's, so
// the instance is not asked after it), else the instance metadata service.
source_result endpoint_source(const environment& env, const std::string& ca_file) {
  auto container = container_credentials(env, ca_file);
  if (!container || *container) return container;
  return instance_credentials(env);
}

}  // namespace

const char* system_environment(const char* name) { return std::getenv(name); }

std::optional<location> parse_uri(std::string_view uri) {
  if (!is_s3_uri(uri)) return std::nullopt;
  uri.remove_prefix(5);
  const auto slash = uri.find('/');
  location loc;
  loc.bucket = std::string(uri.substr(0, slash));
  if (slash != std::string_view::npos) loc.key = std::string(uri.substr(slash + 1));
  if (loc.bucket.empty()) return std::nullopt;
  return loc;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  char* end = nullptr;
  const std::string number(text.substr(0, digits));
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || value < 0) return std::nullopt;
  std::string unit(trim(text.substr(digits)));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, double> units = {{"", 1},
                                                      {"b", 1},
                                                      {"k", 1e3},
                                                      {"kb", 1e3},
                                                      {"kib", 1024.0},
                                                      {"m", 1e6},
                                                      {"mb", 1e6},
                                                      {"mib", 1048576.0},
                                                      {"g", 1e9},
                                                      {"gb", 1e9},
                                                      {"gib", 1073741824.0},
                                                      {"t", 1e12},
                                                      {"tb", 1e12},
                                                      {"tib", 1099511627776.0}};
  const auto u = units.find(unit);
  if (u == units.end()) return std::nullopt;
  const double bytes = std::round(value * u->second);
  if (bytes > 1.8e19) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

core::result<settings, core::failure> resolve(const overrides& o, const environment& env) {
  settings s;
  const std::string home = get(env, "HOME");
  std::string credentials_file = get(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_file.empty()) credentials_file = home + "/.aws/credentials";
  std::string config_file = get(env, "AWS_CONFIG_FILE");
  if (config_file.empty()) config_file = home + "/.aws/config";
  s.profile = get(env, "AWS_PROFILE");
  const bool named_profile = !s.profile.empty();
  if (!named_profile) s.profile = "default";
  const ini creds_ini = read_ini(credentials_file);
  const ini config_ini = read_ini(config_file);
  // In the config file every profile but the default is written [profile NAME].
  const std::string config_section = s.profile == "default" ? "default" : "profile " + s.profile;

  // Credentials: the environment's pair wins unless a profile was named explicitly.
  s.creds.access_key_id = get(env, "AWS_ACCESS_KEY_ID");
  s.creds.secret_access_key = get(env, "AWS_SECRET_ACCESS_KEY");
  s.creds.session_token = get(env, "AWS_SESSION_TOKEN");
  if (named_profile || s.creds.access_key_id.empty() || s.creds.secret_access_key.empty()) {
    for (const ini* file : {&creds_ini, &config_ini}) {
      const std::string& section = file == &creds_ini ? s.profile : config_section;
      const std::string id = lookup(*file, section, "aws_access_key_id");
      const std::string secret = lookup(*file, section, "aws_secret_access_key");
      if (!id.empty() && !secret.empty()) {
        s.creds = {id, secret, lookup(*file, section, "aws_session_token")};
        break;
      }
    }
  }
  if (o.no_sign_request) {
    s.anonymous = true;  // as the AWS CLI's --no-sign-request: no credentials are needed
    s.creds = {};
  } else if (s.creds.access_key_id.empty() || s.creds.secret_access_key.empty()) {
    if (named_profile && creds_ini.count(s.profile) == 0 && config_ini.count(config_section) == 0) {
      return core::failure{"AWS profile '" + s.profile + "' not found in " + credentials_file +
                           " or " + config_file};
    }
    std::string also;  // what the endpoint said, when one was asked
    if (!named_profile) {
      auto source = endpoint_source(env, o.ca_file);
      if (!source) return core::failure{std::move(source).error().message};
      if (*source) {
        auto first = (*source)->current();
        if (first) {
          s.creds = *first;
          s.source = *std::move(source);
        } else {
          also = "; " + first.error().message;
        }
      }
    }
    if (!s.source) {
      return core::failure{
          "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE "
          "with a profile in " +
          credentials_file + also};
    }
  }

  s.region = o.region;
  if (s.region.empty()) s.region = get(env, "AWS_REGION");
  if (s.region.empty()) s.region = get(env, "AWS_DEFAULT_REGION");
  if (s.region.empty()) s.region = lookup(config_ini, config_section, "region");
  if (s.region.empty()) s.region = "us-east-1";

  s.endpoint = o.endpoint;
  if (s.endpoint.empty()) s.endpoint = get(env, "AWS_ENDPOINT_URL_S3");
  if (s.endpoint.empty()) s.endpoint = get(env, "AWS_ENDPOINT_URL");
  if (s.endpoint.empty()) s.endpoint = lookup(config_ini, config_section, "endpoint_url");
  if (!s.endpoint.empty()) {
    if (!s.endpoint.starts_with("http://") && !s.endpoint.starts_with("https://")) {
      return core::failure{"S3 endpoint '" + s.endpoint + "' must start with http:// or https://"};
    }
    while (s.endpoint.back() == '/') s.endpoint.pop_back();
    s.path_style = true;  // MinIO, s3rver and friends rarely have per-bucket host names
  }
  s.ca_file = o.ca_file;

  const auto size_setting = [&](std::uint64_t given, const char* variable,
                                std::uint64_t& out) -> std::optional<std::string> {
    if (given != 0) {
      out = given;
      return std::nullopt;
    }
    const std::string text = get(env, variable);
    if (text.empty()) return std::nullopt;
    const auto parsed = parse_size(text);
    if (!parsed) return std::string(variable) + "='" + text + "' is not a size (e.g. 20GiB)";
    out = *parsed;
    return std::nullopt;
  };
  if (auto e = size_setting(o.max_bytes, "OUISCAN_MAX_BYTES", s.max_bytes))
    return core::failure{*e};
  if (auto e = size_setting(o.part_bytes, "OUISCAN_S3_PART_BYTES", s.part_bytes))
    return core::failure{*e};
  std::uint64_t parts = s.parts_in_flight;
  if (auto e = size_setting(o.parts_in_flight, "OUISCAN_S3_PARTS", parts)) return core::failure{*e};
  if (s.part_bytes < 64 * 1024 || s.part_bytes > (std::uint64_t{1} << 30)) {
    return core::failure{"S3 part size must be between 64 KiB and 1 GiB"};
  }
  if (parts == 0 || parts > 64) return core::failure{"S3 parts in flight must be between 1 and 64"};
  s.parts_in_flight = static_cast<unsigned>(parts);
  return s;
}

}  // namespace ouiscan::s3
