package gtvision.testsupport;

import gtvision.camera.CameraEntity;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What a node's camera shard region holds right now. */
public final class CameraShards {
  private CameraShards() {}

  public static ShardRegion.CurrentShardRegionState regionState(TestNodes.Node node) {
    TestProbe<ShardRegion.CurrentShardRegionState> probe = TestProbe.create(node.system());
    ClusterSharding.get(node.system()).shardState().tell(new GetShardRegionState(CameraEntity.TYPE_KEY, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  /**
   * Waits until the camera shard coordinator (asked through {@code node}) knows {@code regions} shard
   * regions: a member that is Up may not have registered its region yet, and shards allocated before
   * that all go to the others.
   */
  public static void awaitRegions(TestNodes.Node node, int regions, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int known = 0;
    while (System.nanoTime() < deadline) {
      TestProbe<ShardRegion.ClusterShardingStats> probe = TestProbe.create(node.system());
      ClusterSharding.get(node.system()).shardState().tell(
          new GetClusterShardingStats(CameraEntity.TYPE_KEY, Duration.ofSeconds(3), probe.getRef()));
      known = probe.receiveMessage(Duration.ofSeconds(10)).getRegions().size();
      if (known >= regions) return;
      MediaTools.sleep(200);
    }
    throw new AssertionError(known + " camera shard regions known, expected " + regions + " within " + timeout);
  }

  /** The camera ids whose entities are running on {@code node}. */
  public static Set<String> entitiesOn(TestNodes.Node node) {
    return regionState(node).getShards().stream().flatMap(s -> s.getEntityIds().stream()).collect(Collectors.toSet());
  }
}
