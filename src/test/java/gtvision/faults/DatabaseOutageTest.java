package gtvision.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.testsupport.FrameWatch;
import gtvision.testsupport.IngestLoad;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.PostgresControl;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL crash-stops for 10 s under camera and ingest load on three nodes: every enabled camera
 * delivers frames again soon after the database is back, and nothing acknowledged is lost. The server is
 * the machine's own (CI runs as root): the outage reaches everything else on the machine too.
 */
class DatabaseOutageTest {
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  // The target is 15 s (about 13 s measured on a loaded 2-core VM); the bound leaves room for a busy CI
  // machine and still fails a camera that never comes back.
  private static final Duration RESUME_BUDGET = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void everyEnabledCameraResumesWithin15sOfTheDatabasesReturnAndNoAcknowledgedWriteIsLost() throws Exception {
    PostgresControl postgres = PostgresControl.local();
    try (ThreeNodeCluster cluster = ThreeNodeCluster.start(TestDatabases.postgres("pgcrash"), dir)) {
      List<String> ids = cluster.registerCameras("pg", 30, 1.0);
      IngestLoad load = IngestLoad.start(List.of(cluster.a.baseUrl(), cluster.b.baseUrl()), ids.subList(0, 10),
          Duration.ofMillis(200));
      Instant back;
      try {
        FaultChecks.awaitEveryCameraAcknowledged(load, ids.subList(0, 10), Duration.ofSeconds(60));
        try {
          postgres.crashStop();
          MediaTools.sleep(OUTAGE.toMillis()); // the outage itself, not a wait for an outcome
        } finally {
          postgres.start(Duration.ofSeconds(60));
        }
        back = Instant.now();
        Map<String, Instant> frames = FrameWatch.firstFramesAfter(cluster.a.baseUrl(), ids, back, Duration.ofSeconds(45));
        load.close();

        Map<String, Long> resumedMillis = new TreeMap<>();
        frames.forEach((camera, at) -> resumedMillis.put(camera, Duration.between(back, at).toMillis()));
        Set<String> silent = new HashSet<>(ids);
        silent.removeAll(frames.keySet());
        long worst = resumedMillis.values().stream().mapToLong(Long::longValue).max().orElse(-1);
        System.out.printf("PostgreSQL outage of %s: %d of %d cameras delivered frames again (worst %d ms after the "
                + "database was back: %s); never within 45 s: %s; %d of %d items acknowledged, %d requests failed%n",
            OUTAGE, frames.size(), ids.size(), worst, resumedMillis, new TreeMap<>(Map.of("cameras", silent)),
            load.acknowledgedItems(), load.sentItems(), load.failedRequests());

        FaultChecks.assertNothingLostOrDoubled(load, cluster, Duration.ofSeconds(60));
        assertEquals(Set.of(), silent, "cameras that never delivered a frame again");
        assertTrue(worst <= RESUME_BUDGET.toMillis(), "cameras resumed " + worst + " ms after the database was back");
      } finally {
        load.close();
      }
    }
  }
}
