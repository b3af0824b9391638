package gtvision.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** {@code gtv_cluster_members{status}}: members by status as this node sees them, plus unreachable. */
public final class ClusterMetrics {
  private ClusterMetrics() {}

  public static void bind(ActorSystem<?> system, MeterRegistry registry) {
    Cluster cluster = Cluster.get(system);
    for (MemberStatus status : new MemberStatus[] {MemberStatus.up(), MemberStatus.joining(), MemberStatus.leaving(),
        MemberStatus.exiting(), MemberStatus.weaklyUp()}) {
      String name = status.toString().toLowerCase(Locale.ROOT);
      Gauge.builder("gtv.cluster.members", cluster, c -> count(c.state(), status))
          .description("Cluster members by status")
          .tag("status", name)
          .register(registry);
    }
    Gauge.builder("gtv.cluster.members", cluster, c -> c.state().getUnreachable().size())
        .description("Cluster members by status")
        .tag("status", "unreachable")
        .register(registry);
  }

  private static double count(ClusterEvent.CurrentClusterState state, MemberStatus status) {
    return StreamSupport.stream(state.getMembers().spliterator(), false).filter(m -> m.status().equals(status)).count();
  }
}
