package gtvision.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.testsupport.FrameWatch;
import gtvision.testsupport.IngestLoad;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oldest of three nodes (shard coordinator and a third of the cameras) is killed with SIGKILL while
 * bulk ingest writes to every camera: nothing acknowledged is lost or doubled, and the killed node's
 * cameras take writes and deliver frames again within the failover budget.
 */
class NodeKillFailoverTest {
  // The target is 15 s (README, "Failover"; about 13-15 s measured on a loaded 2-core VM); the bound leaves
  // room for a CI machine that starts three JVMs on two cores, and still fails the 30 s of before.
  private static final Duration FAILOVER_BUDGET = Duration.ofSeconds(20);
  private static final Duration OBSERVE = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void killedNodesCamerasTakeWritesAndStreamAgainWithin15sAndNoAcknowledgedWriteIsLostOrDoubled() throws Exception {
    try (ThreeNodeCluster cluster = ThreeNodeCluster.start(TestDatabases.postgres("sigkill"), dir)) {
      List<String> ids = cluster.registerCameras("kill", 12, 2.0);
      IngestLoad load = IngestLoad.start(List.of(cluster.a.baseUrl(), cluster.b.baseUrl()), ids, Duration.ofMillis(100));
      try {
        FaultChecks.awaitEveryCameraAcknowledged(load, ids, Duration.ofSeconds(60));
        Set<String> onC = cluster.camerasOnC(ids);
        assertFalse(onC.isEmpty(), "node C runs some of the cameras");

        Instant killedAt = Instant.now();
        long killedNanos = System.nanoTime();
        cluster.c.kill();

        Map<String, Instant> frames = FrameWatch.firstFramesAfter(cluster.a.baseUrl(), onC, killedAt, OBSERVE);
        Map<String, Long> writes = FaultChecks.firstWritesAfter(load, onC, killedNanos, OBSERVE);
        load.close();

        Map<String, Long> frameMillis = new TreeMap<>();
        frames.forEach((camera, at) -> frameMillis.put(camera, Duration.between(killedAt, at).toMillis()));
        long worstWrite = writes.values().stream().mapToLong(Long::longValue).max().orElse(-1);
        long worstFrame = frameMillis.values().stream().mapToLong(Long::longValue).max().orElse(-1);
        System.out.printf("SIGKILL failover of %d cameras: first acknowledged write after %s ms (worst %d ms), "
                + "first frame after %s ms (worst %d ms); %d of %d items acknowledged, %d requests failed%n",
            onC.size(), new TreeMap<>(writes), worstWrite, frameMillis, worstFrame,
            load.acknowledgedItems(), load.sentItems(), load.failedRequests());

        assertEquals(onC, writes.keySet(), "every camera of the killed node takes writes again");
        assertEquals(onC, frames.keySet(), "every camera of the killed node delivers frames again");
        assertTrue(worstWrite <= FAILOVER_BUDGET.toMillis(), "writes resumed after " + worstWrite + " ms");
        assertTrue(worstFrame <= FAILOVER_BUDGET.toMillis(), "frames resumed after " + worstFrame + " ms");
        FaultChecks.assertNothingLostOrDoubled(load, cluster, Duration.ofSeconds(60));
      } finally {
        load.close();
      }
    }
  }
}
