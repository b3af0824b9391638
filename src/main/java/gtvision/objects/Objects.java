package gtvision.objects;

import gtvision.evidence.EvidenceStore;
import gtvision.persistence.Database;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's tracked-object outputs: the events read side and {@code /api/events} over it, the line-counts
 * read side and {@code /api/counts} over it. (Object
 * records on Kafka and the live feed travel with the detections, in gtvision.detections.) Main wires it.
 */
public final class Objects {
  private final ActorSystem<?> system;
  private final EvidenceStore evidence;

  private Objects(ActorSystem<?> system, EvidenceStore evidence) {
    this.system = system;
    this.evidence = evidence;
  }

  public static Objects start(ActorSystem<?> system, EvidenceStore evidence) {
    return new Objects(system, evidence);
  }

  /** Starts the projections (objects, line counts); call once the projection offset tables exist. */
  public void startProjections() {
    ObjectProjection.init(system);
    LineCountProjection.init(system);
  }

  public Route routes() {
    return new ObjectRoutes(system, Database.get(system), evidence,
        system.dispatchers().lookup(DispatcherSelector.fromConfig("gtv.blocking-dispatcher"))).route()
        .orElse(new LineCountRoutes(system, Database.get(system), Clock.systemUTC()).route());
  }
}
