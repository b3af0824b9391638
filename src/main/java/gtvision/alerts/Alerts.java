package gtvision.alerts;

import gtvision.camera.PlateWatch;
import gtvision.persistence.Database;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The node's watch list and alerts: the watch-list entity type, this node's view of the list (what its
 * cameras check plates against, {@link #watch()}), the alerts read side, and {@code /api/watchlist} and
 * {@code /api/alerts}. (Alert records on Kafka, MQTT and the live feed travel with the other camera
 * events, as {@link AlertMessage}.) Main wires it.
 */
public final class Alerts {
  private final ActorSystem<?> system;
  private final WatchListView view = new WatchListView();

  private Alerts(ActorSystem<?> system) {
    this.system = system;
  }

  public static Alerts start(ActorSystem<?> system) {
    var c = system.settings().config().getConfig("gtv.watchlist");
    WatchListEntity.init(system, Clock.systemUTC(), c.getInt("max-entries"), c.getInt("snapshot-every"));
    Alerts alerts = new Alerts(system);
    alerts.view.follow(system);
    return alerts;
  }

  /** The list this node's cameras check their objects' plates against. */
  public PlateWatch watch() {
    return view;
  }

  /** Starts the alerts read side; call once the projection offset tables exist. */
  public void startProjections() {
    AlertProjection.init(system);
  }

  public Route routes() {
    return concatRoutes(new WatchListRoutes(system, view).route(), new AlertRoutes(system, Database.get(system)).route());
  }

  private static Route concatRoutes(Route first, Route second) {
    return first.orElse(second);
  }
}
