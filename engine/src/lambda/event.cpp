#include "ouiscan/lambda/event.h"

#include <simdjson.h>

namespace ouiscan::lambda {
namespace {

using simdjson::dom::element;

// The string at `path` (a JSON pointer) or "" when absent or not a string.
std::string text_at(element e, std::string_view pointer) {
  std::string_view v;
  if (e.at_pointer(pointer).get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

bad_event missing(std::string_view what) {
  return bad_event{"the event has no " + std::string(what)};
}

core::result<s3::location, bad_event> direct(element e) {
  if (const std::string uri = text_at(e, "/uri"); !uri.empty()) {
    auto loc = s3::parse_uri(uri);
    if (!loc || loc->key.empty()) return bad_event{"\"uri\" is not an s3://bucket/key address"};
    return *loc;
  }
  s3::location loc{text_at(e, "/bucket"), text_at(e, "/key")};
  if (loc.bucket.empty() || loc.key.empty()) {
    return missing("\"bucket\" and \"key\" strings (or \"uri\")");
  }
  return loc;
}

}  // namespace

std::string decode_event_key(std::string_view key) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(key.size());
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '+') {
      out += ' ';
    } else if (key[i] == '%' && i + 2 < key.size() && hex(key[i + 1]) >= 0 &&
               hex(key[i + 2]) >= 0) {
      out += static_cast<char>(hex(key[i + 1]) * 16 + hex(key[i + 2]));
      i += 2;
    } else {
      out += key[i];
    }
  }
  return out;
}

core::result<std::vector<s3::location>, bad_event> parse_event(std::string_view json) {
  // An empty body may come with a null pointer, which simdjson must not be handed (UBSan,
  // found by the fuzz regression lambda/empty).
  if (json.empty()) return bad_event{"the event is empty"};
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return bad_event{"the event is not valid JSON"};
  }
  if (!root.is_object()) return bad_event{"the event is not a JSON object"};
  std::vector<s3::location> out;

  // S3 event notification: {"Records": [{"eventSource": "aws:s3", "s3": {...}}, ...]}
  simdjson::dom::array records;
  if (root["Records"].get(records) == simdjson::SUCCESS) {
    for (element r : records) {
      const std::string source = text_at(r, "/eventSource");
      if (!source.empty() && source != "aws:s3") continue;  // e.g. an SQS test record
      s3::location loc{text_at(r, "/s3/bucket/name"),
                       decode_event_key(text_at(r, "/s3/object/key"))};
      if (loc.bucket.empty() || loc.key.empty()) {
        return missing("s3.bucket.name and s3.object.key in a record");
      }
      out.push_back(std::move(loc));
    }
    if (out.empty()) return bad_event{"the event's Records hold no S3 object"};
    return out;
  }
  // EventBridge: {"source": "aws.s3", "detail-type": "Object Created", "detail": {...}}; the key
  // arrives as it is, not URL-encoded.
  if (text_at(root, "/source") == "aws.s3" || !text_at(root, "/detail-type").empty()) {
    const std::string type = text_at(root, "/detail-type");
    if (type != "Object Created") {
      return bad_event{"an EventBridge event of type '" + type.substr(0, 64) +
                       "', not 'Object Created'"};
    }
    s3::location loc{text_at(root, "/detail/bucket/name"), text_at(root, "/detail/object/key")};
    if (loc.bucket.empty() || loc.key.empty()) {
      return missing("detail.bucket.name and detail.object.key");
    }
    out.push_back(std::move(loc));
    return out;
  }
  // Direct: one object, or {"objects": [...]}.
  simdjson::dom::array objects;
  if (root["objects"].get(objects) == simdjson::SUCCESS) {
    for (element o : objects) {
      auto one = direct(o);
      if (const auto* why = one ? nullptr : &one.error()) return *why;
      out.push_back(*std::move(one));
    }
    if (out.empty()) return bad_event{"\"objects\" is empty"};
    return out;
  }
  auto one = direct(root);
  if (const auto* why = one ? nullptr : &one.error()) return *why;
  out.push_back(*std::move(one));
  return out;
}

}  // namespace ouiscan::lambda
