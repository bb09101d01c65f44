// Building blocks: nearest-rank percentiles, text folding, dates and durations.
#include "distribution.hpp"
#include "text_fold.hpp"
#include "time_text.hpp"

#include <catch2/catch.hpp>

using namespace chat::kpi;

TEST_CASE("percentiles: nearest rank on small n", "[distribution]") {
  std::vector<std::int64_t> none;
  auto d0 = summarize(none);
  CHECK(d0.count == 0);
  CHECK_FALSE(d0.mean);
  CHECK_FALSE(d0.p50);

  std::vector<std::int64_t> one{7};
  auto d1 = summarize(one);
  CHECK(*d1.p50 == 7);
  CHECK(*d1.p99 == 7);
  CHECK(*d1.mean == 7.0);

  // n = 2: p50 = rank ceil(1) = 1st, p90 = rank ceil(1.8) = 2nd.
  std::vector<std::int64_t> two{20, 10};
  auto d2 = summarize(two);
  CHECK(*d2.p50 == 10);
  CHECK(*d2.p90 == 20);
  CHECK(*d2.mean == 15.0);

  // n = 4: p50 = rank 2, p90 = rank ceil(3.6) = 4.
  std::vector<std::int64_t> four{4, 1, 3, 2};
  auto d4 = summarize(four);
  CHECK(*d4.p50 == 2);
  CHECK(*d4.p90 == 4);
  CHECK(*d4.mean == 2.5);

  // n = 10: p90 = rank 9 exactly (not 10), p99 = rank ceil(9.9) = 10.
  std::vector<std::int64_t> ten;
  for (int i = 10; i >= 1; --i) ten.push_back(i * 100);
  auto d10 = summarize(ten);
  CHECK(*d10.p50 == 500);
  CHECK(*d10.p90 == 900);
  CHECK(*d10.p99 == 1000);

  // n = 30: 0.9 * 30 is 27 exactly; a floating-point ceil could say 28.
  std::vector<std::int64_t> thirty;
  for (int i = 1; i <= 30; ++i) thirty.push_back(i);
  CHECK(*percentile(thirty, 90) == 27);
  // n = 100: p99 = 99th.
  std::vector<std::int64_t> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  CHECK(*percentile(hundred, 99) == 99);
  CHECK(*percentile(hundred, 50) == 50);
}

TEST_CASE("percentiles: mean is exact, not rounded", "[distribution]") {
  std::vector<std::int64_t> v{1, 2, 2};
  CHECK(*summarize(v).mean == Approx(5.0 / 3.0).epsilon(1e-15));
}

TEST_CASE("text folding: lower case, white space runs, trim", "[fold]") {
  std::string out;
  fold_text("  Where IS\t my   ORDER?\n", out);
  CHECK(out == "where is my order?");
  fold_text("ÉTÉ  À\u00a0Paris", out);  // non-breaking space folds too
  CHECK(out == "été à paris");
  fold_text("ПРИВЕТ Ωμέγα", out);
  CHECK(out == "привет ωμέγα");
  fold_text("   ", out);
  CHECK(out.empty());
}

TEST_CASE("dates: day and ISO-8601 forms", "[time]") {
  auto d = parse_date("2024-03-01");
  REQUIRE(d);
  CHECK(d->date_only);
  CHECK(d->ms == 1709251200000);
  auto t = parse_date("2024-03-01T12:30:15.250Z");
  REQUIRE(t);
  CHECK_FALSE(t->date_only);
  CHECK(t->ms == 1709251200000 + ((12 * 60 + 30) * 60 + 15) * 1000 + 250);
  auto off = parse_date("2024-03-01T14:30:00+02:00");
  REQUIRE(off);
  CHECK(off->ms == 1709251200000 + (12 * 60 + 30) * 60 * 1000LL);
  CHECK(parse_date("2024-02-29"));
  CHECK_FALSE(parse_date("2023-02-29"));
  CHECK_FALSE(parse_date("2024-13-01"));
  CHECK_FALSE(parse_date("yesterday"));
  CHECK_FALSE(parse_date("2024-03-01T25:00:00Z"));
  CHECK(format_iso(1709251200000 + 1) == "2024-03-01T00:00:00.001Z");
  CHECK(format_day(1709251200000 - 1) == "2024-02-29");
  CHECK(hour_of_day(1709251200000 + 23 * 3600000LL + 5) == 23);
}

TEST_CASE("durations: units and sums", "[time]") {
  CHECK(*parse_duration_ms("7d") == 7 * 86400000LL);
  CHECK(*parse_duration_ms("12h") == 12 * 3600000LL);
  CHECK(*parse_duration_ms("60s") == 60000);
  CHECK(*parse_duration_ms("500ms") == 500);
  CHECK(*parse_duration_ms("1h30m") == 90 * 60000LL);
  CHECK_FALSE(parse_duration_ms("60"));
  CHECK_FALSE(parse_duration_ms("7 days"));
  CHECK_FALSE(parse_duration_ms(""));
  CHECK(humanize_ms(850) == "850 ms");
  CHECK(humanize_ms(72000) == "1m 12s");
  CHECK(humanize_ms(12400) == "12.4 s");
}
