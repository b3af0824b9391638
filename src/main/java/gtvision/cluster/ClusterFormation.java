package gtvision.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * How this node finds its cluster: Kubernetes API discovery + Cluster Bootstrap when
 * gtv.cluster.bootstrap is on, the configured seed nodes when there are some, otherwise itself
 * (a one-node development cluster).
 */
public final class ClusterFormation {
  private ClusterFormation() {}

  public static void start(ActorSystem<?> system) {
    // Management serves /ready and /alive in every mode, and is the bootstrap's contact point.
    PekkoManagement.get(system).start();
    var config = system.settings().config();
    if (config.getBoolean("gtv.cluster.bootstrap")) {
      ClusterBootstrap.get(system).start();
    } else if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }
}
