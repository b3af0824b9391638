package gtvision.camera.stream;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * WARN lines for a failure that can repeat on every frame of a camera: with no inference provider
 * reachable, each sampled frame fails, and 250 cameras at 1 fps would write 250 lines a second. The
 * first failure is logged at once; later ones at most once per interval, with how many happened since
 * the previous line; when logged failures stop, one INFO line says so. One per camera, kept across
 * stream restarts. Callbacks of the analyser complete on any thread, hence the synchronisation.
 */
final class FailureLog {
  private final Logger log;
  private final String what;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private boolean loggedBefore;
  private long lastLineAt;
  private long sinceLastLine;
  private long inStreak;
  private boolean warnedInStreak;

  /** {@code what} names the failure and its camera, e.g. "Analyser failed on camera gate-3". */
  FailureLog(Logger log, String what, Duration interval, LongSupplier nanoClock) {
    this.log = log;
    this.what = what;
    this.intervalNanos = interval.toNanos();
    this.nanoClock = nanoClock;
  }

  synchronized void failed(String detail) {
    long now = nanoClock.getAsLong();
    inStreak++;
    sinceLastLine++;
    if (loggedBefore && now - lastLineAt < intervalNanos) return;
    if (sinceLastLine == 1) {
      log.warn("{}: {}", what, detail);
    } else {
      log.warn("{}: {} ({} failures since the last such line)", what, detail, sinceLastLine);
    }
    loggedBefore = true;
    warnedInStreak = true;
    lastLineAt = now;
    sinceLastLine = 0;
  }

  /** Ends a streak of failures; says so only when the streak was logged, so flapping stays within the rate. */
  synchronized void succeeded() {
    if (inStreak == 0) return;
    if (warnedInStreak) log.info("{}: works again after {} failures in a row", what, inStreak);
    inStreak = 0;
    warnedInStreak = false;
  }
}
