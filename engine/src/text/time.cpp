#include "ouiscan/text/time.h"

#include <array>
#include <limits>

namespace ouiscan::text {

void append_time(fmt::memory_buffer& b, std::int64_t ns) {
  constexpr std::int64_t billion = 1'000'000'000;
  constexpr std::int64_t day_seconds = 86'400;
  std::int64_t sec = ns / billion;
  std::int64_t frac = ns % billion;
  if (frac < 0) {
    frac += billion;
    --sec;
  }
  std::int64_t days = sec / day_seconds;
  std::int64_t in_day = sec % day_seconds;
  if (in_day < 0) {
    in_day += day_seconds;
    --days;
  }
  // The proleptic Gregorian date of a day count from 1970-01-01, counted in 400-year eras of
  // 146,097 days that start on 1 March, so that the leap day ends a year.
  const std::int64_t z = days + 719'468;
  const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const std::int64_t day_of_era = z - era * 146'097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
  const std::int64_t day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  const std::int64_t month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  // "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", digits written in place (int64 nanoseconds span the
  // years 1677 to 2262).
  std::array<char, 30> t{};
  const auto put = [&t](std::size_t at, std::int64_t v, std::size_t width) {
    for (std::size_t i = width; i-- > 0; v /= 10) t[at + i] = static_cast<char>('0' + v % 10);
  };
  put(0, year, 4);
  t[4] = '-';
  put(5, month, 2);
  t[7] = '-';
  put(8, day, 2);
  t[10] = 'T';
  put(11, in_day / 3600, 2);
  t[13] = ':';
  put(14, in_day / 60 % 60, 2);
  t[16] = ':';
  put(17, in_day % 60, 2);
  t[19] = '.';
  put(20, frac, 9);
  t[29] = 'Z';
  b.append(t.data(), t.data() + t.size());
}

std::string format_time(std::int64_t ns) {
  fmt::memory_buffer b;
  append_time(b, ns);
  return fmt::to_string(b);
}

void append_json_time(fmt::memory_buffer& b, std::int64_t ns) {
  b.push_back('"');
  append_time(b, ns);
  b.push_back('"');
}

std::optional<std::int64_t> parse_time(std::string_view t) noexcept {
  std::size_t at = 0;
  const auto number = [&](std::size_t digits, std::int64_t& v) {
    if (at + digits > t.size()) return false;
    v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char c = t[at + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    at += digits;
    return true;
  };
  const auto take = [&](char c) {
    if (at < t.size() && t[at] == c) {
      ++at;
      return true;
    }
    return false;
  };
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, frac = 0;
  if (!number(4, year) || !take('-') || !number(2, month) || !take('-') || !number(2, day)) {
    return std::nullopt;
  }
  if (take('T') || take(' ')) {
    if (!number(2, hour) || !take(':') || !number(2, minute)) return std::nullopt;
    if (take(':')) {
      if (!number(2, second)) return std::nullopt;
      if (take('.') || take(',')) {
        std::size_t digits = 0;
        while (at < t.size() && t[at] >= '0' && t[at] <= '9') {
          if (digits++ < 9) frac = frac * 10 + (t[at] - '0');
          ++at;
        }
        if (digits == 0) return std::nullopt;
        for (; digits < 9; ++digits) frac *= 10;
      }
    }
  }
  std::int64_t offset_s = 0;
  if (take('+') || (at < t.size() && t[at] == '-' && (++at, true))) {
    const bool minus = t[at - 1] == '-';
    std::int64_t oh = 0, om = 0;
    if (!number(2, oh)) return std::nullopt;
    take(':');
    if (!number(2, om)) return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (minus ? -1 : 1);
  } else {
    take('Z');
  }
  if (at != t.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  // Days from 1970-01-01 of a proleptic Gregorian date (the inverse of append_time's
  // arithmetic, in eras of 400 years starting on 1 March).
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const std::int64_t days = era * 146'097 + day_of_era - 719'468;
  const std::int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_s;
  constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
  if (seconds > limit || seconds < -limit) return std::nullopt;
  return seconds * 1'000'000'000 + frac;
}

}  // namespace ouiscan::text
