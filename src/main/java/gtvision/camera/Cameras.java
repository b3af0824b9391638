package gtvision.camera;

import gtvision.camera.source.SourcePolicy;
import gtvision.camera.source.SourceRefusedException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The fleet as the API sees it: commands go to the camera's entity wherever its shard lives, lists
 * come from the read side so that listing never wakes the entities.
 */
public final class Cameras {
  /** Pages and the count of cameras from the read side ({@code gtvision.camera.readside} provides it). */
  public interface Listing {
    CompletionStage<List<CameraRow>> page(Optional<String> afterId, Optional<String> status, int limit);

    CompletionStage<Long> count();
  }

  private final ClusterSharding sharding;
  private final Listing listing;
  private final CameraMetrics metrics;
  private final Duration askTimeout;
  private final SourcePolicy sources;
  private final Executor blocking;
  private final Cluster cluster;
  private final int maxPerNode;

  public Cameras(ActorSystem<?> system, CameraMetrics metrics, Listing listing) {
    this.sharding = ClusterSharding.get(system);
    this.listing = listing;
    this.metrics = metrics;
    this.askTimeout = system.settings().config().getDuration("gtv.camera.ask-timeout");
    this.sources = SourcePolicy.from(system.settings().config());
    // The source check resolves names: it blocks, so it runs beside the node's other blocking work.
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("gtv.blocking-dispatcher"));
    this.cluster = Cluster.get(system);
    this.maxPerNode = system.settings().config().getInt("gtv.camera.max-per-node");
    if (maxPerNode < 1) throw new IllegalArgumentException("gtv.camera.max-per-node must be positive, not " + maxPerNode);
  }

  public CompletionStage<CameraEntity.Reply> register(String id, CameraSpec spec) {
    return quotaReached().thenCompose(full -> full.isPresent() ? CompletableFuture.completedFuture(Optional.of(full.get()))
            : checkSource("register", spec))
        .thenCompose(refused -> refused.isPresent()
            ? CompletableFuture.completedFuture(refused.get())
            : ask("register", id, replyTo -> new CameraEntity.Register(spec, replyTo)));
  }

  /**
   * The fleet may hold {@code gtv.camera.max-per-node} cameras per Up member: beyond, a node would run
   * more streams than it was sized for. Counted on the read side, so a burst of registrations may pass it
   * by the few the read side has not seen yet.
   */
  private CompletionStage<Optional<CameraEntity.Reply>> quotaReached() {
    long members = Math.max(1, StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status().equals(MemberStatus.up()) || m.status().equals(MemberStatus.weaklyUp())).count());
    long quota = maxPerNode * members;
    return listing.count().thenApply(count -> {
      if (count < quota) return Optional.empty();
      metrics.command("register", "quota");
      return Optional.of(new CameraEntity.Rejected(CameraEntity.RejectionKind.CONFLICT, null, "camera quota reached: "
          + count + " cameras for " + members + " node(s) of at most " + maxPerNode + " each (gtv.camera.max-per-node)"));
    });
  }

  public CompletionStage<CameraEntity.Reply> update(String id, CameraSpec spec) {
    return checkSource("update", spec).thenCompose(refused -> refused.isPresent()
        ? CompletableFuture.completedFuture(refused.get())
        : ask("update", id, replyTo -> new CameraEntity.Update(spec, replyTo)));
  }

  /**
   * The source policy (SSRF) before the entity sees the spec: resolving the host blocks, so it runs on
   * the blocking stream dispatcher, never in the entity. A spec that fails plain validation goes on to the
   * entity, which names its first bad field as always. A name that does not resolve yet is let through:
   * it reaches nothing, and every connect checks again.
   */
  private CompletionStage<Optional<CameraEntity.Reply>> checkSource(String type, CameraSpec spec) {
    CameraValidator.Result valid = CameraValidator.validate(spec);
    if (valid.config() == null) return CompletableFuture.completedFuture(Optional.empty());
    CameraConfig config = valid.config();
    return CompletableFuture.supplyAsync(() -> {
      try {
        sources.check(URI.create(config.sourceUrl()), config.sourceKind());
        return Optional.empty();
      } catch (SourceRefusedException e) {
        if (e.unresolved()) return Optional.empty();
        metrics.command(type, "invalid");
        return Optional.of(new CameraEntity.Rejected(CameraEntity.RejectionKind.INVALID, "sourceUrl",
            "sourceUrl refused by the camera source policy: " + e.getMessage()));
      }
    }, blocking);
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
