package gtvision.inference;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Circuit breaker of one worker, owned by the router actor (only it changes the state) and read by
 * the metrics scrape thread (hence volatile fields). Closed: requests flow, consecutive failures
 * counted. Open after {@code maxFailures}: nothing is sent. After {@code resetNanos}: half-open, one
 * trial request; its success closes the breaker, its failure opens it again.
 */
final class Breaker {
  enum State {
    CLOSED(0), HALF_OPEN(1), OPEN(2);

    final int gaugeValue;

    State(int v) {
      gaugeValue = v;
    }
  }

  private final int maxFailures;
  private final long resetNanos;
  private final LongSupplier nanoClock;
  private volatile int failures;
  private volatile long openedAt = Long.MIN_VALUE;
  private volatile boolean trialInFlight;

  Breaker(int maxFailures, Duration reset, LongSupplier nanoClock) {
    this.maxFailures = maxFailures;
    this.resetNanos = reset.toNanos();
    this.nanoClock = nanoClock;
  }

  State state() {
    if (openedAt == Long.MIN_VALUE) return State.CLOSED;
    return nanoClock.getAsLong() - openedAt >= resetNanos ? State.HALF_OPEN : State.OPEN;
  }

  /** Whether a request may go to the worker now; in half-open state, only one trial at a time. */
  boolean tryAcquire() {
    return switch (state()) {
      case CLOSED -> true;
      case OPEN -> false;
      case HALF_OPEN -> {
        if (trialInFlight) yield false;
        trialInFlight = true;
        yield true;
      }
    };
  }

  /** Whether {@link #tryAcquire()} would let a request through, without taking the trial. */
  boolean available() {
    State s = state();
    return s == State.CLOSED || (s == State.HALF_OPEN && !trialInFlight);
  }

  void success() {
    failures = 0;
    openedAt = Long.MIN_VALUE;
    trialInFlight = false;
  }

  /** Opens at once (a worker that stopped answering), or again for another reset period. */
  void trip() {
    openedAt = nanoClock.getAsLong();
    trialInFlight = false;
  }

  void failure() {
    if (state() == State.HALF_OPEN) {
      openedAt = nanoClock.getAsLong(); // the trial failed: open for another reset period
      trialInFlight = false;
      return;
    }
    failures++;
    if (failures >= maxFailures) openedAt = nanoClock.getAsLong();
  }
}
