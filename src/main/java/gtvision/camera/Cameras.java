package gtvision.camera;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The fleet as the API sees it: commands go to the camera's entity wherever its shard lives, lists
 * come from the read side so that listing never wakes the entities.
 */
public final class Cameras {
  /** Pages of cameras from the read side ({@code gtvision.camera.readside} provides it). */
  @FunctionalInterface
  public interface Listing {
    CompletionStage<List<CameraRow>> page(Optional<String> afterId, Optional<String> status, int limit);
  }

  private final ClusterSharding sharding;
  private final Listing listing;
  private final CameraMetrics metrics;
  private final Duration askTimeout;

  public Cameras(ActorSystem<?> system, CameraMetrics metrics, Listing listing) {
    this.sharding = ClusterSharding.get(system);
    this.listing = listing;
    this.metrics = metrics;
    this.askTimeout = system.settings().config().getDuration("gtv.camera.ask-timeout");
  }

  public CompletionStage<CameraEntity.Reply> register(String id, CameraSpec spec) {
    return ask("register", id, replyTo -> new CameraEntity.Register(spec, replyTo));
  }

  public CompletionStage<CameraEntity.Reply> update(String id, CameraSpec spec) {
    return ask("update", id, replyTo -> new CameraEntity.Update(spec, replyTo));
  }

  public CompletionStage<CameraEntity.Reply> enable(String id) {
    return ask("enable", id, CameraEntity.Enable::new);
  }

  public CompletionStage<CameraEntity.Reply> disable(String id) {
    return ask("disable", id, CameraEntity.Disable::new);
  }

  public CompletionStage<CameraEntity.Reply> remove(String id) {
    return ask("remove", id, CameraEntity.Remove::new);
  }

  public CompletionStage<CameraEntity.Reply> get(String id) {
    return ask("get", id, CameraEntity.GetState::new);
  }

  /** A page of cameras in id order, from the read side (eventually consistent with the entities). */
  public CompletionStage<List<CameraRow>> page(Optional<String> afterId, Optional<String> status, int limit) {
    return listing.page(afterId, status, limit);
  }

  private CompletionStage<CameraEntity.Reply> ask(
      String type, String id, Function<ActorRef<CameraEntity.Reply>, CameraEntity.Command> command) {
    return sharding
        .entityRefFor(CameraEntity.TYPE_KEY, id)
        .ask(command::apply, askTimeout)
        .whenComplete((reply, error) -> metrics.command(type, outcome(reply, error)));
  }

  private static String outcome(CameraEntity.Reply reply, Throwable error) {
    if (error != null) return error instanceof TimeoutException ? "timeout" : "error";
    if (reply instanceof CameraEntity.Rejected rejected) return rejected.kind().name().toLowerCase();
    return "accepted";
  }
}
