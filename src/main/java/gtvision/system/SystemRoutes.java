package gtvision.system;

import gtvision.http.Json;
import gtvision.persistence.Database;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/system}: what the dashboard's System page shows beside {@code /health}: the cluster's
 * members as this node sees them and how far each projection of camera events is behind the journal.
 */
public final class SystemRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final Json json;

  public record SystemView(Instant at, List<ClusterMembers.MemberView> members, List<ProjectionProgress.View> projections) {}

  public SystemRoutes(ActorSystem<?> system) {
    this.system = system;
    this.json = Json.get(system);
  }

  public Route route() {
    return path(PathMatchers.segment("api").slash("system"), () -> get(() -> {
      Instant now = Instant.now();
      List<ClusterMembers.MemberView> members = ClusterMembers.of(system);
      return onSuccess(Database.get(system).run(c -> ProjectionProgress.read(c, now)),
          projections -> complete(StatusCodes.OK, new SystemView(now, members, projections), json.<SystemView>marshaller()));
    }));
  }
}
