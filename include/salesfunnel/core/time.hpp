// Time: the units of int64 time columns, days, weeks and entry cohorts.
//
//   auto t = salesfunnel::rescale_time(5, salesfunnel::time_unit::seconds,
//                                      salesfunnel::time_unit::milliseconds);  // 5000
//   salesfunnel::cohort_label(0, salesfunnel::time_unit::seconds,
//                             salesfunnel::cohort_period::week);  // "1969-12-29"
//
// Every time in the library is an int64 count of ticks of one unit since the
// Unix epoch, UTC; every duration a caller sees is in days.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include <absl/strings/str_format.h>
#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include "salesfunnel/config.hpp"

SALESFUNNEL_BEGIN_NAMESPACE

/// The unit of an int64 time column.
enum class time_unit : std::uint8_t { seconds, milliseconds, microseconds, nanoseconds };

/// Seconds in a day: the one place this number is written.
inline constexpr std::int64_t seconds_per_day = 86400;

/// Ticks of `u` in one second.
inline std::int64_t ticks_per_second(time_unit u) {
  switch (u) {
    case time_unit::seconds: return 1;
    case time_unit::milliseconds: return 1000;
    case time_unit::microseconds: return 1000000;
    case time_unit::nanoseconds: return 1000000000;
  }
  return 1;
}

/// Ticks of `u` in one day.
inline std::int64_t ticks_per_day(time_unit u) { return seconds_per_day * ticks_per_second(u); }

/// Days in a number of seconds.
inline double seconds_to_days(double seconds) { return seconds / static_cast<double>(seconds_per_day); }

/// The value numpy uses for NaT in datetime64 columns: a missing time.
inline constexpr std::int64_t null_time = std::numeric_limits<std::int64_t>::min();

/// Rescales a time from one unit to another (exact when refining; rounds
/// toward minus infinity when coarsening).
inline std::int64_t rescale_time(std::int64_t t, time_unit from, time_unit to) {
  const auto f = ticks_per_second(from), g = ticks_per_second(to);
  if (f == g) return t;
  if (g > f) return t * (g / f);
  const auto r = f / g;
  return t >= 0 ? t / r : -((-t + r - 1) / r);
}

/// later - earlier in ticks, saturating at the int64 range instead of
/// overflowing (a 1677 -> 2262 nanosecond span does not fit in int64).
inline std::int64_t elapsed(std::int64_t later, std::int64_t earlier) {
  std::int64_t out = 0;
  if (__builtin_sub_overflow(later, earlier, &out)) {
    return later > earlier ? std::numeric_limits<std::int64_t>::max()
                           : std::numeric_limits<std::int64_t>::min();
  }
  return out;
}

/// later - earlier in days, exact in double for any int64 inputs.
inline double elapsed_days(std::int64_t later, std::int64_t earlier, time_unit unit) {
  return (static_cast<double>(later) - static_cast<double>(earlier)) /
         static_cast<double>(ticks_per_day(unit));
}

/// Whole seconds since the epoch, rounded toward minus infinity.
inline std::int64_t to_unix_seconds(std::int64_t ticks, time_unit unit) {
  return rescale_time(ticks, unit, time_unit::seconds);
}

/// The start (Monday 00:00 UTC) of the week that `t` falls in, in t's unit.
inline std::int64_t week_start(std::int64_t t, time_unit unit) {
  const std::int64_t tpd = ticks_per_day(unit);
  // 1970-01-01 was a Thursday: Monday-based weeks start 3 days later.
  std::int64_t day = t / tpd - ((t % tpd) < 0 ? 1 : 0);
  std::int64_t monday = day - (((day + 3) % 7) + 7) % 7;
  return monday * tpd;
}

/// Entry-cohort periods.
enum class cohort_period : std::uint8_t { week, month };

/// A number per cohort, increasing with time: the day number (since
/// 1970-01-01) of the week's Monday, or year * 12 + month - 1.
inline std::int64_t cohort_key(std::int64_t ticks, time_unit unit, cohort_period p) {
  if (p == cohort_period::week) return week_start(ticks, unit) / ticks_per_day(unit);
  const absl::CivilMonth m(
      absl::ToCivilSecond(absl::FromUnixSeconds(to_unix_seconds(ticks, unit)), absl::UTCTimeZone()));
  return m.year() * 12 + (m.month() - 1);
}

/// The label of a cohort key: "2024-03" for months, the Monday that starts
/// its week ("2024-03-04") for weeks.
inline std::string cohort_key_label(std::int64_t key, cohort_period p) {
  if (p == cohort_period::month) {
    const std::int64_t year = key >= 0 ? key / 12 : -((-key + 11) / 12);
    return absl::StrFormat("%04d-%02d", year, key - year * 12 + 1);
  }
  const absl::CivilDay day = absl::CivilDay(1970, 1, 1) + key;
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

/// The label of the cohort a UTC time falls in.
inline std::string cohort_label(std::int64_t ticks, time_unit unit, cohort_period p) {
  return cohort_key_label(cohort_key(ticks, unit, p), p);
}

SALESFUNNEL_END_NAMESPACE
