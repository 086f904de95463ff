#include "inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>
#include <vector>

#include "ouiscan/http/http_client.h"
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

core::result<pipeline::input_report> remote_inputs::scan_range(const std::string& uri,
                                                               pipeline::scanner& scanner) {
  const auto loc = s3::parse_uri(uri);
  if (!loc) return fail(fmt::format("{}: not an s3://bucket/key address", uri));
  if (!ready()) return core::error{core::errc::remote_error, 0, 0, 0};
  auto info = client_->head(*loc);
  if (const auto* f = info ? nullptr : &info.error()) {
    failure_ = f->message;
    return core::error{core::errc::remote_error, 0, 0, static_cast<int>(f->status)};
  }
  http::http_session session(client_->http_options());
  std::optional<s3::failure> failed;
  const auto get = [&](std::uint64_t first, std::uint64_t length) {
    std::vector<std::byte> bytes(static_cast<std::size_t>(length));
    if (length == 0) return bytes;
    if (auto f = client_->get_range(session, *loc, info->etag, first, bytes)) {
      if (!failed) failed = *f;
      bytes.clear();
    }
    return bytes;
  };
  const auto gave_up = [&]() -> core::error {
    failure_ = failed->message;
    return core::error{failed->kind == s3::failure_kind::changed ? core::errc::remote_changed
                                                                 : core::errc::remote_error,
                       0, 0, static_cast<int>(failed->status)};
  };
  const std::uint64_t size = info->size;
  const std::vector<std::byte> head = get(0, std::min<std::uint64_t>(size, 1U << 20));
  if (failed) return gave_up();
  if (io::compression_of(head) != io::compression::none) {
    return fail(fmt::format("{}: a compressed object cannot be cut into ranges", uri));
  }
  const pipeline::byte_range& want = *scanner.options().range;
  const std::uint64_t base = want.start < head.size() ? 0 : want.start;
  std::uint64_t tail = 1U << 20;  // past the range's end, for the record that crosses it
  for (;;) {
    const std::uint64_t end = std::min(size, std::min(want.end, size) + tail);
    const std::vector<std::byte> body = get(base, end > base ? end - base : 0);
    if (failed) return gave_up();
    pipeline::range_bytes src;
    src.head = core::bytes(head.data(), head.size());
    src.body = core::bytes(body.data(), body.size());
    src.base = base;
    src.data_size = size;
    src.read = get;
    pipeline::input_report r;
    r.name = uri;
    r.size = size;
    r.compression = "none";
    const std::uint64_t more = scanner.scan_range(src, r);
    if (failed) return gave_up();
    if (more == 0 || end == size) return r;
    tail += std::max(more, tail);
  }
}

core::result<std::string, core::failure> remote_inputs::read_text(const std::string& uri) {
  const auto loc = s3::parse_uri(uri);
  if (!loc || loc->is_prefix()) return core::failure{fmt::format("{}: not an s3:// object", uri)};
  if (!ready()) return core::failure{failure_};
  auto info = client_->head(*loc);
  if (!info) return core::failure{info.error().message};
  std::string text(static_cast<std::size_t>(info->size), '\0');
  http::http_session session(client_->http_options());
  const auto bytes = std::as_writable_bytes(std::span(text.data(), text.size()));
  if (auto f =
          text.empty() ? std::nullopt : client_->get_range(session, *loc, info->etag, 0, bytes)) {
    return core::failure{f->message};
  }
  return text;
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
