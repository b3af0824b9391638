package gtvision.inference;

import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.Optional;

/**
 * The AWS cost guard of one node: at most {@code perMinute} images sent to Rekognition per calendar
 * minute, and at most the configured USD per UTC day and per UTC month. Fixed windows rather than a
 * sliding log: the number an operator sets ("600 images a minute", "$50 a day") is exactly what can
 * be spent in any minute or day shown on a bill, and "remaining" is easy to read.
 *
 * <p>Every API call is paid for before it is sent (a failed call may still be billed), so the USD
 * budgets are never exceeded. Spend is kept in whole micro-dollars so that sums do not drift. It is
 * held in memory: a restarted node starts its day and month at zero.
 */
final class AwsBudget {

  /** What has been spent and what is left, at one instant. */
  record Spend(
      double todayUsd, double monthUsd, double totalUsd, int minuteRemaining, double perDayUsd, double perMonthUsd) {}

  private final int perMinute;
  private final long priceMicros;
  private final long perDayMicros;
  private final long perMonthMicros;
  private final Clock clock;
  private long minute = -1;
  private int usedThisMinute;
  private LocalDate day = LocalDate.MIN;
  private long spentTodayMicros;
  private YearMonth month = YearMonth.of(0, 1);
  private long spentThisMonthMicros;
  private long spentTotalMicros;

  AwsBudget(int perMinute, double pricePerCallUsd, double perDayUsd, double perMonthUsd, Clock clock) {
    if (perMinute < 0) throw new IllegalArgumentException("budget per minute must be >= 0");
    if (pricePerCallUsd < 0 || perDayUsd < 0 || perMonthUsd < 0) {
      throw new IllegalArgumentException("AWS price and USD budgets must be >= 0");
    }
    this.perMinute = perMinute;
    this.priceMicros = micros(pricePerCallUsd);
    this.perDayMicros = micros(perDayUsd);
    this.perMonthMicros = micros(perMonthUsd);
    this.clock = clock;
  }

  /**
   * Pays for the first call on a new image (it counts against the per-minute image budget too).
   *
   * @return empty when the call may be sent, otherwise which budget refuses it
   */
  synchronized Optional<String> tryAcquireImage() {
    roll();
    if (usedThisMinute >= perMinute) {
      return Optional.of("AWS image budget of " + perMinute + " per minute is spent (gtv.inference.aws.budget-per-minute)");
    }
    Optional<String> refused = pay();
    if (refused.isEmpty()) usedThisMinute++;
    return refused;
  }

  /** Pays for a further call on an image already counted (DetectText after DetectLabels). */
  synchronized Optional<String> tryAcquireCall() {
    roll();
    return pay();
  }

  private Optional<String> pay() {
    if (spentTodayMicros + priceMicros > perDayMicros) {
      return Optional.of("AWS budget of " + usd(perDayMicros) + " USD per day is spent (gtv.inference.aws.budget-usd-per-day)");
    }
    if (spentThisMonthMicros + priceMicros > perMonthMicros) {
      return Optional.of(
          "AWS budget of " + usd(perMonthMicros) + " USD per month is spent (gtv.inference.aws.budget-usd-per-month)");
    }
    spentTodayMicros += priceMicros;
    spentThisMonthMicros += priceMicros;
    spentTotalMicros += priceMicros;
    return Optional.empty();
  }

  synchronized int remaining() {
    roll();
    return perMinute - usedThisMinute;
  }

  synchronized Spend spend() {
    roll();
    return new Spend(
        usd(spentTodayMicros), usd(spentThisMonthMicros), usd(spentTotalMicros), perMinute - usedThisMinute,
        usd(perDayMicros), usd(perMonthMicros));
  }

  int perMinute() {
    return perMinute;
  }

  private void roll() {
    long millis = clock.millis();
    long now = millis / 60_000;
    if (now != minute) {
      minute = now;
      usedThisMinute = 0;
    }
    LocalDate today = LocalDate.ofEpochDay(Math.floorDiv(millis, 86_400_000L));
    if (!today.equals(day)) {
      day = today;
      spentTodayMicros = 0;
    }
    YearMonth thisMonth = YearMonth.from(today);
    if (!thisMonth.equals(month)) {
      month = thisMonth;
      spentThisMonthMicros = 0;
    }
  }

  private static long micros(double usd) {
    return Math.round(usd * 1_000_000);
  }

  private static double usd(long micros) {
    return micros / 1_000_000.0;
  }
}
