package gtvision.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gtvision.testsupport.IngestLoad;
import gtvision.testsupport.MediaTools;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** What fault tests check of an {@link IngestLoad} once the fault is over. */
final class FaultChecks {
  private FaultChecks() {}

  /** Waits until every camera has had a write acknowledged (the read side knows them all). */
  static void awaitEveryCameraAcknowledged(IngestLoad load, Collection<String> cameras, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cameras.stream().anyMatch(c -> load.firstAcknowledgedSentAfter(c, Long.MIN_VALUE).isEmpty())) {
      if (System.nanoTime() > deadline) throw new AssertionError("not every camera took a write within " + timeout);
      MediaTools.sleep(200);
    }
  }

  /**
   * Per camera, milliseconds from {@code sinceNanos} until the first acknowledged write sent after it;
   * waits up to {@code timeout}, cameras that never took one are missing.
   */
  static Map<String, Long> firstWritesAfter(IngestLoad load, Collection<String> cameras, long sinceNanos, Duration timeout) {
    long deadline = sinceNanos + timeout.toNanos();
    Map<String, Long> millis = new HashMap<>();
    while (millis.size() < cameras.size() && System.nanoTime() < deadline) {
      for (String camera : cameras) {
        OptionalLong at = load.firstAcknowledgedSentAfter(camera, sinceNanos);
        if (at.isPresent()) millis.putIfAbsent(camera, (at.getAsLong() - sinceNanos) / 1_000_000);
      }
      MediaTools.sleep(100);
    }
    return millis;
  }

  /**
   * Every acknowledged item reaches the detections table (the projection may still be catching up, so
   * this polls), once; no item is there twice.
   */
  static void assertNothingLostOrDoubled(IngestLoad load, ThreeNodeCluster cluster, Duration timeout) throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Map<Long, Integer>> stored = IngestLoad.stored(cluster.jdbcUrl(), cluster.dbUser(), cluster.dbPassword());
    while (!load.missing(stored).isEmpty() && System.nanoTime() < deadline) {
      MediaTools.sleep(500);
      stored = IngestLoad.stored(cluster.jdbcUrl(), cluster.dbUser(), cluster.dbPassword());
    }
    List<String> missing = load.missing(stored);
    List<String> wrong = load.doubledOrUnknown(stored);
    long rows = stored.values().stream().flatMap(m -> m.values().stream()).mapToLong(Integer::longValue).sum();
    System.out.printf("detections rows %d for %d acknowledged of %d sent items; missing %d, doubled %d%n",
        rows, load.acknowledgedItems(), load.sentItems(), missing.size(), wrong.size());
    assertEquals(List.of(), missing.subList(0, Math.min(20, missing.size())), missing.size() + " acknowledged items missing");
    assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " items doubled or never sent");
  }
}
