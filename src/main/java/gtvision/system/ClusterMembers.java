package gtvision.system;

import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/** The cluster's members as this node sees them (its gossip state: no call to the others). */
public final class ClusterMembers {
  private ClusterMembers() {}

  /**
   * {@code roles}: the node's own (gtv.cluster.roles), without Pekko's data-centre role; {@code status}:
   * Pekko's member status in lower case (joining, up, leaving, exiting, down, removed, ...).
   */
  public record MemberView(String address, List<String> roles, String status, boolean reachable, boolean leader, boolean self,
      String appVersion) {}

  public static List<MemberView> of(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    ClusterEvent.CurrentClusterState state = cluster.state();
    Address self = cluster.selfMember().address();
    Address leader = state.getLeader();
    Set<Member> unreachable = state.getUnreachable();
    return StreamSupport.stream(state.getMembers().spliterator(), false)
        .map(m -> new MemberView(m.address().toString(),
            m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList(),
            m.status().toString().toLowerCase(java.util.Locale.ROOT),
            !unreachable.contains(m),
            m.address().equals(leader),
            m.address().equals(self),
            m.appVersion().toString()))
        .toList();
  }
}
