#include "inputs.h"

#include <fmt/format.h>

#include "ouiscan/s3/object_stream.h"

namespace ouiscan::scan {

std::vector<std::string> remote_inputs::expand(const std::string& uri) {
  const auto loc = s3::parse_uri(uri);
  if (!loc) {
    fail(fmt::format("{}: not an s3://bucket/key address", uri));
    return {};
  }
  if (!loc->is_prefix()) return {uri};
  if (!ready()) return {};
  auto listed = client_->list(*loc);
  if (const auto* f = listed ? nullptr : &listed.error()) {
    fail(f->message);
    return {};
  }
  std::vector<std::string> out;
  for (const auto& o : *listed) {
    const s3::location object{loc->bucket, o.key};
    if (s3::looks_like_capture(*client_, object, o)) out.push_back(object.uri());
  }
  if (out.empty()) fail(fmt::format("{}: no captures under this prefix", uri));
  return out;
}

core::result<io::input> remote_inputs::open(const std::string& uri) {
  const auto loc = s3::parse_uri(uri);
  if (!loc) return fail(fmt::format("{}: not an s3://bucket/key address", uri));
  if (!ready()) return core::error{core::errc::remote_error, 0, 0, 0};
  auto opened = s3::open_object(client_, *loc);
  if (const auto* f = opened ? nullptr : &opened.error()) {
    failure_ = f->message;
    return core::error{f->kind == s3::failure_kind::changed ? core::errc::remote_changed
                                                            : core::errc::remote_error,
                       0, 0, static_cast<int>(f->status)};
  }
  return *std::move(opened);
}

bool remote_inputs::ready() {
  if (client_) return true;
  auto resolved = s3::resolve(overrides_, s3::system_environment);
  if (const std::string* why = resolved ? nullptr : &resolved.error().message) {
    failure_ = *why;
    return false;
  }
  client_ = std::make_shared<s3::client>(*std::move(resolved));
  return true;
}

core::error remote_inputs::fail(std::string message) {
  failure_ = std::move(message);
  return core::error{core::errc::remote_error, 0, 0, 0};
}

}  // namespace ouiscan::scan
