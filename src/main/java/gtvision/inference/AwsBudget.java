package gtvision.inference;

import java.time.Clock;

/**
 * The AWS cost guard: at most {@code perMinute} images sent to Rekognition per calendar minute.
 * Fixed windows rather than a sliding log: the number an operator sets ("600 images a minute") is
 * exactly what can be spent in any minute shown on a bill, and "remaining" is easy to read.
 */
final class AwsBudget {
  private final int perMinute;
  private final Clock clock;
  private long window = -1;
  private int used;

  AwsBudget(int perMinute, Clock clock) {
    if (perMinute < 0) throw new IllegalArgumentException("budget per minute must be >= 0");
    this.perMinute = perMinute;
    this.clock = clock;
  }

  synchronized boolean tryAcquire() {
    roll();
    if (used >= perMinute) return false;
    used++;
    return true;
  }

  synchronized int remaining() {
    roll();
    return perMinute - used;
  }

  int perMinute() {
    return perMinute;
  }

  private void roll() {
    long now = clock.millis() / 60_000;
    if (now != window) {
      window = now;
      used = 0;
    }
  }
}
