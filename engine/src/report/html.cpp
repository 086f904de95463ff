// -f html: one self-contained page (docs/output.md, "HTML report"): the summary, charts of
// addresses per vendor and per class, top talkers, a timeline of first and last seen, and the
// whole inventory as a table that sorts and filters. Inline CSS, SVG and script only, and a
// Content-Security-Policy that forbids every request, so opening it reaches no host. The table
// draws only the rows in view, so 100,000 addresses scroll as smoothly as 100.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <vector>

#include "ouiscan/report/inventory.h"
#include "render.h"

namespace ouiscan::report {
namespace {

using pipeline::address_stats;
using text::append_json_string;
using text::append_raw;
using namespace detail;  // NOLINT(google-build-using-namespace): the renderers' shared helpers

// Text for HTML element content and attribute values.
void append_html(fmt::memory_buffer& b, std::string_view s) {
  for (const char c : s) {
    switch (c) {
      case '&':
        append_raw(b, "&amp;");
        break;
      case '<':
        append_raw(b, "&lt;");
        break;
      case '>':
        append_raw(b, "&gt;");
        break;
      case '"':
        append_raw(b, "&quot;");
        break;
      case '\'':
        append_raw(b, "&#39;");
        break;
      default:
        b.push_back(c);
    }
  }
}

// A JSON string that stays inside a <script> element: no "</script>" or "<!--" can form.
void append_script_string(fmt::memory_buffer& b, std::string_view s) {
  fmt::memory_buffer j;
  append_json_string(j, s);
  for (const char c : j) {
    if (c == '<') {
      append_raw(b, "\\u003c");
    } else if (c == '>') {
      append_raw(b, "\\u003e");
    } else if (c == '&') {
      append_raw(b, "\\u0026");
    } else {
      b.push_back(c);
    }
  }
}

// The human summary that follows a table, as text for a <pre>.
std::string summary_text(const inventory& inv) {
  char* data = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  if (f == nullptr) return {};
  write_summary_text(f, inv);
  std::fclose(f);
  std::string s(data, size);
  std::free(data);  // NOLINT(cppcoreguidelines-no-malloc): open_memstream's buffer
  return s;
}

struct bar {
  std::string label;
  std::uint64_t value;
};

// A horizontal bar chart as inline SVG.
void append_bar_chart(fmt::memory_buffer& b, std::string_view title, const std::vector<bar>& bars) {
  constexpr int row = 22, label_w = 260, bar_w = 420;
  const std::uint64_t most =
      bars.empty()
          ? 1
          : std::max<std::uint64_t>(
                1, std::max_element(bars.begin(), bars.end(), [](const bar& x, const bar& y) {
                     return x.value < y.value;
                   })->value);
  auto o = std::back_inserter(b);
  append_raw(b, "<figure><figcaption>");
  append_html(b, title);
  fmt::format_to(o,
                 "</figcaption><svg role=\"img\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">",
                 label_w + bar_w + 80, row * static_cast<int>(bars.size()) + 4,
                 label_w + bar_w + 80, row * static_cast<int>(bars.size()) + 4);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int y = static_cast<int>(i) * row;
    const double w =
        static_cast<double>(bar_w) * static_cast<double>(bars[i].value) / static_cast<double>(most);
    fmt::format_to(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">", label_w - 6, y + 15);
    append_html(b, bars[i].label);
    fmt::format_to(o,
                   "</text><rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" class=\"bar\"/>"
                   "<text x=\"{:.1f}\" y=\"{}\">{}</text>",
                   label_w, y + 3, std::max(w, 1.0), row - 6, label_w + w + 6, y + 15,
                   bars[i].value);
  }
  append_raw(b, "</svg></figure>\n");
}

// Addresses first seen and last seen per stretch of the capture's time, as inline SVG.
void append_timeline(fmt::memory_buffer& b, const inventory& inv) {
  constexpr int buckets = 60, width = 720, height = 160;
  std::int64_t lo = address_stats::never;
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  for (const entry& e : inv.entries) {
    if (!e.stats->has_time()) continue;
    lo = std::min(lo, e.stats->first_ns());
    hi = std::max(hi, e.stats->last_ns());
  }
  append_raw(b,
             "<figure><figcaption>Timeline: addresses first seen (above) and last seen "
             "(below) per 1/60 of the capture</figcaption>");
  if (lo == address_stats::never) {
    append_raw(b, "<p>No frame has a time.</p></figure>\n");
    return;
  }
  std::vector<std::uint64_t> first(buckets), last(buckets);
  const double span = static_cast<double>(std::max<std::int64_t>(hi - lo, 1));
  const auto bucket = [&](std::int64_t t) {
    const auto i = static_cast<int>(static_cast<double>(t - lo) / span * buckets);
    return static_cast<std::size_t>(std::clamp(i, 0, buckets - 1));
  };
  for (const entry& e : inv.entries) {
    if (!e.stats->has_time()) continue;
    ++first[bucket(e.stats->first_ns())];
    ++last[bucket(e.stats->last_ns())];
  }
  const std::uint64_t most =
      std::max<std::uint64_t>(1, std::max(*std::max_element(first.begin(), first.end()),
                                          *std::max_element(last.begin(), last.end())));
  auto o = std::back_inserter(b);
  const int mid = height / 2;
  const double w = static_cast<double>(width) / buckets;
  fmt::format_to(o, "<svg role=\"img\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">", width,
                 height + 20, width, height + 20);
  for (int i = 0; i < buckets; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double up = (mid - 4) * static_cast<double>(first[k]) / static_cast<double>(most);
    const double down = (mid - 4) * static_cast<double>(last[k]) / static_cast<double>(most);
    fmt::format_to(o,
                   "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                   "class=\"first\"><title>{} first seen</title></rect>"
                   "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                   "class=\"last\"><title>{} last seen</title></rect>",
                   i * w, mid - up, w - 1, up, first[k], i * w, mid, w - 1, down, last[k]);
  }
  fmt::format_to(o,
                 "<text x=\"0\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" "
                 "text-anchor=\"end\">{}</text></svg></figure>\n",
                 height + 16, text::format_time(lo), width, height + 16, text::format_time(hi));
}

void append_talkers(fmt::memory_buffer& b, const inventory& inv, bool by_bytes) {
  constexpr std::size_t shown = 10;
  std::vector<const entry*> top;
  top.reserve(inv.entries.size());
  for (const entry& e : inv.entries) top.push_back(&e);
  const auto amount = [by_bytes](const entry* e) {
    return by_bytes ? e->stats->src_bytes() + e->stats->dst_bytes() : e->stats->frames();
  };
  const std::size_t n = std::min(shown, top.size());
  std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(n), top.end(),
                    [&](const entry* x, const entry* y) {
                      return amount(x) != amount(y) ? amount(x) > amount(y) : x->mac() < y->mac();
                    });
  auto o = std::back_inserter(b);
  fmt::format_to(o,
                 "<table class=\"talkers\"><caption>Top talkers by {}</caption>"
                 "<tr><th>address</th><th>vendor</th><th>{}</th></tr>",
                 by_bytes ? "bytes" : "frames", by_bytes ? "bytes" : "frames");
  for (std::size_t i = 0; i < n; ++i) {
    fmt::format_to(o, "<tr><td>{}</td><td>", top[i]->mac().to_string());
    append_html(b, vendors::short_display_name(*top[i]->vendor));
    fmt::format_to(o, "</td><td class=\"n\">{}</td></tr>", amount(top[i]));
  }
  append_raw(b, "</table>\n");
}

// The inventory as rows for the script: [address, class, vendor, vendor's full name, first IP,
// IP count, first name, frames, bytes, first seen, last seen].
bool write_rows(std::FILE* out, fmt::memory_buffer& b, const inventory& inv) {
  auto o = std::back_inserter(b);
  append_raw(b, "[");
  bool first = true;
  for (const entry& e : shown(inv)) {
    const address_stats& s = *e.stats;
    const entry_ips ips = ips_of(inv, e.mac(), 1);
    if (!first) append_raw(b, ",\n");
    first = false;
    fmt::format_to(o, "[\"{}\",\"{}\",", e.mac().to_string(), class_name(*e.vendor, e.mac()));
    append_script_string(b, vendors::short_display_name(*e.vendor));
    b.push_back(',');
    append_script_string(b, vendors::display_name(*e.vendor));
    b.push_back(',');
    append_script_string(b, ips.listed.empty() ? std::string() : ips.listed.front().text());
    fmt::format_to(o, ",{},", ips.count);
    append_script_string(b, device_name(inv, e));
    fmt::format_to(o, ",{},{},", s.frames(), s.src_bytes() + s.dst_bytes());
    append_script_string(b, s.has_time() ? text::format_time(s.first_ns()) : std::string());
    b.push_back(',');
    append_script_string(b, s.has_time() ? text::format_time(s.last_ns()) : std::string());
    b.push_back(']');
    if (b.size() > flush_threshold && !flush(out, b)) return false;
  }
  append_raw(b, "]");
  return true;
}

constexpr std::string_view kStyle = R"css(
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
pre{background:#f4f4f4;padding:.8em;overflow-x:auto}
figure{display:inline-block;margin:0 2em 1em 0;vertical-align:top}
figcaption{font-weight:600;margin-bottom:.3em}
svg text{font-size:12px;fill:#222}.bar{fill:#3b6ea8}.first{fill:#3b8a4a}.last{fill:#b5533c}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;white-space:nowrap}
.talkers{display:inline-table;margin:0 2em 1em 0}.n{text-align:right}
#view{height:70vh;overflow-y:auto;border:1px solid #ccc;position:relative}
#inventory thead th{position:sticky;top:0;background:#e8eef5;cursor:pointer;user-select:none}
#inventory tbody tr{height:22px}#inventory tbody tr:nth-child(even){background:#f7f7f7}
#filter{width:24em;padding:3px;margin:.4em 0}
)css";

// Sorting, filtering and drawing the rows in view. Cells are set with textContent only: a name
// from a packet is never parsed as HTML. The view is also set by the address fragment,
// #filter=TEXT&sort=COLUMN&desc=1&at=ROW, so that a link can share it.
// clang-format off
constexpr std::string_view kScript = R"js(
(function () {
  "use strict";
  const rows = JSON.parse(document.getElementById("rows").textContent);
  const columns = ["address", "class", "vendor", "vendor_name", "ip", "ip_count", "name",
                   "frames", "bytes", "first_seen", "last_seen"];
  const shownColumns = [0, 1, 2, 4, 6, 7, 8, 9, 10];
  const numeric = new Set([5, 7, 8]);
  const rowHeight = 22, spare = 20;
  const view = document.getElementById("view"), body = document.getElementById("body");
  const count = document.getElementById("count"), filterBox = document.getElementById("filter");
  let order = rows.slice(), sortColumn = -1, descending = false;

  function matches(r, text) {
    if (text === "") return true;
    for (const c of r) if (String(c).toLowerCase().includes(text)) return true;
    return false;
  }
  function apply() {
    const text = filterBox.value.trim().toLowerCase();
    order = rows.filter(r => matches(r, text));
    if (sortColumn >= 0) {
      const k = sortColumn, sign = descending ? -1 : 1;
      order.sort((a, b) => {
        const x = a[k], y = b[k];
        if (numeric.has(k)) return sign * (x - y);
        return sign * (x < y ? -1 : x > y ? 1 : 0);
      });
    }
    count.textContent = order.length + " of " + rows.length + " addresses";
    document.getElementById("spacer").style.height = order.length * rowHeight + "px";
    draw();
  }
  function draw() {
    const start = Math.max(0, Math.floor(view.scrollTop / rowHeight) - spare);
    const end = Math.min(order.length, start + Math.ceil(view.clientHeight / rowHeight) + 2 * spare);
    body.style.transform = "translateY(" + start * rowHeight + "px)";
    const fragment = document.createDocumentFragment();
    for (let i = start; i < end; i++) {
      const tr = document.createElement("tr");
      const r = order[i];
      for (const k of shownColumns) {
        const td = document.createElement("td");
        let v = r[k];
        if (k === 2) td.title = r[3];
        if (k === 4 && r[5] > 1) v = v + " +" + (r[5] - 1);
        if (numeric.has(k)) td.className = "n";
        td.textContent = v;
        tr.appendChild(td);
      }
      fragment.appendChild(tr);
    }
    body.replaceChildren(fragment);
  }
  document.querySelectorAll("#inventory thead th").forEach((th, i) => {
    th.addEventListener("click", () => {
      const k = shownColumns[i];
      descending = sortColumn === k ? !descending : numeric.has(k);
      sortColumn = k;
      apply();
    });
  });
  filterBox.addEventListener("input", apply);
  view.addEventListener("scroll", draw);
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("filter")) filterBox.value = params.get("filter");
  if (params.has("sort")) {
    sortColumn = columns.indexOf(params.get("sort"));
    descending = params.get("desc") === "1";
  }
  apply();
  if (params.has("at")) {
    view.scrollTop = Number(params.get("at")) * rowHeight;
    draw();
  }
})();
)js";
// clang-format on

}  // namespace

bool detail::write_html(std::FILE* out, const inventory& inv) {
  fmt::memory_buffer b;
  auto o = std::back_inserter(b);
  append_raw(b,
             "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
             "<title>ouiscan report</title><style>");
  append_raw(b, kStyle);
  append_raw(b, "</style></head><body>\n<h1>ouiscan report</h1>\n<h2>Summary</h2><pre>");
  append_html(b, summary_text(inv));
  append_raw(b, "</pre>\n<h2>Addresses per vendor and per class</h2>\n");
  std::vector<bar> vendor_bars;
  vendor_bars.reserve(15);
  for (std::size_t i = 0; i < inv.vendors.size() && i < 15; ++i) {
    vendor_bars.push_back({inv.vendors[i].name, inv.vendors[i].addresses});
  }
  append_bar_chart(b, "Addresses per vendor (the 15 with most)", vendor_bars);
  std::map<std::string_view, std::uint64_t> per_class;
  for (const entry& e : inv.entries) ++per_class[class_name(*e.vendor, e.mac())];
  std::vector<bar> classes;
  classes.reserve(per_class.size());
  for (const auto& [name, n] : per_class) classes.push_back({std::string(name), n});
  append_bar_chart(b, "Addresses per class", classes);
  append_raw(b, "\n<h2>Top talkers</h2>\n");
  append_talkers(b, inv, false);
  append_talkers(b, inv, true);
  append_raw(b, "\n<h2>First and last seen</h2>\n");
  append_timeline(b, inv);
  append_raw(b,
             "\n<h2>Inventory</h2>\n<input id=\"filter\" type=\"search\" placeholder=\"filter: "
             "address, vendor, IP, name...\" aria-label=\"filter\"> <span id=\"count\"></span>\n"
             "<div id=\"view\"><div id=\"spacer\" style=\"position:absolute;width:1px\"></div>"
             "<table id=\"inventory\"><thead><tr><th>address</th><th>class</th><th>vendor</th>"
             "<th>IP</th><th>name</th><th>frames</th><th>bytes</th><th>first seen</th>"
             "<th>last seen</th></tr></thead><tbody id=\"body\"></tbody></table></div>\n"
             "<script id=\"rows\" type=\"application/json\">");
  if (!flush(out, b)) return false;
  if (!write_rows(out, b, inv)) return false;
  fmt::format_to(o, "</script>\n<script>{}</script>\n</body></html>\n", kScript);
  return flush(out, b);
}

}  // namespace ouiscan::report
