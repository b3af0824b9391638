package gtvision.camera.stream;

import gtvision.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The newest frame of a camera whose stream runs on another node. Every node runs one (at
 * {@code /user/latest-frames}, registered with the receptionist); a node that has no frame of the camera
 * asks all the others, and the one that runs the camera's stream answers with its JPEG. Which node that
 * is only its shard region knows, and asking the few members is cheaper than asking sharding.
 *
 * <p>Answers come back to this actor, not to a temporary one: its path is on Artery's large-message lane
 * (cluster.conf), where a JPEG of a few hundred KiB fits and does not hold up the cluster's heartbeats.
 */
public final class LatestFrameService {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "gtv-latest-frames");
  public static final String NAME = "latest-frames";

  public sealed interface Command extends CborSerializable {}

  /** From this node's route: find the camera's frame on another node. */
  public record Fetch(String cameraId, ActorRef<Answer> replyTo) implements Command {}

  /** From another node's service: the frame, if this node has one. */
  public record Lookup(long requestId, String cameraId, ActorRef<Command> replyTo) implements Command {}

  public record Found(long requestId, byte[] jpeg, Instant capturedAt, long sequence) implements Command {}

  public record NotHere(long requestId) implements Command {}

  private record Peers(Receptionist.Listing listing) implements Command {}

  private record TimedOut(long requestId) implements Command {}

  public sealed interface Answer extends CborSerializable {}

  public record Frame(byte[] jpeg, Instant capturedAt, long sequence) implements Answer {}

  /** No node had a frame; {@code unanswered}: how many did not answer in time. */
  public record NoFrame(int unanswered) implements Answer {}

  private record Pending(ActorRef<Answer> replyTo, int waitingFor) {}

  /** @param blocking where a decoded picture is encoded to JPEG (never on the actor's thread) */
  public static Behavior<Command> create(LatestFrames latest, Executor blocking, Duration timeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class, Peers::new);
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY, listings));
      return new LatestFrameService(ctx, timers, latest, blocking, timeout).behavior();
    }));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final LatestFrames latest;
  private final Executor blocking;
  private final Duration timeout;
  private final Map<Long, Pending> pending = new HashMap<>();
  private Set<ActorRef<Command>> peers = Set.of();
  private long nextId;

  private LatestFrameService(ActorContext<Command> ctx, TimerScheduler<Command> timers, LatestFrames latest, Executor blocking,
      Duration timeout) {
    this.ctx = ctx;
    this.timers = timers;
    this.latest = latest;
    this.blocking = blocking;
    this.timeout = timeout;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Peers.class, this::onPeers)
        .onMessage(Fetch.class, this::onFetch)
        .onMessage(Lookup.class, this::onLookup)
        .onMessage(Found.class, this::onFound)
        .onMessage(NotHere.class, this::onNotHere)
        .onMessage(TimedOut.class, this::onTimedOut)
        .build();
  }

  private Behavior<Command> onPeers(Peers m) {
    Set<ActorRef<Command>> others = new HashSet<>(m.listing().getServiceInstances(KEY));
    others.remove(ctx.getSelf());
    peers = Set.copyOf(others);
    return Behaviors.same();
  }

  private Behavior<Command> onFetch(Fetch m) {
    if (peers.isEmpty()) {
      m.replyTo().tell(new NoFrame(0));
      return Behaviors.same();
    }
    long id = nextId++;
    pending.put(id, new Pending(m.replyTo(), peers.size()));
    for (ActorRef<Command> peer : peers) peer.tell(new Lookup(id, m.cameraId(), ctx.getSelf()));
    timers.startSingleTimer(id, new TimedOut(id), timeout);
    return Behaviors.same();
  }

  private Behavior<Command> onLookup(Lookup m) {
    Optional<LatestFrames.Entry> entry = latest.get(m.cameraId());
    if (entry.isEmpty()) {
      m.replyTo().tell(new NotHere(m.requestId()));
      return Behaviors.same();
    }
    LatestFrames.Entry e = entry.get();
    // Encoding a decoded picture is blocking work; the answer is told from wherever it completes.
    CompletableFuture.supplyAsync(e::jpeg, blocking).whenComplete((jpeg, error) -> m.replyTo().tell(error == null
        ? new Found(m.requestId(), jpeg, e.frame().capturedAt(), e.frame().sequence())
        : new NotHere(m.requestId())));
    return Behaviors.same();
  }

  private Behavior<Command> onFound(Found m) {
    Pending p = pending.remove(m.requestId());
    if (p != null) {
      timers.cancel(m.requestId());
      p.replyTo().tell(new Frame(m.jpeg(), m.capturedAt(), m.sequence()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onNotHere(NotHere m) {
    Pending p = pending.get(m.requestId());
    if (p == null) return Behaviors.same();
    if (p.waitingFor() > 1) {
      pending.put(m.requestId(), new Pending(p.replyTo(), p.waitingFor() - 1));
    } else {
      pending.remove(m.requestId());
      timers.cancel(m.requestId());
      p.replyTo().tell(new NoFrame(0));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onTimedOut(TimedOut m) {
    Pending p = pending.remove(m.requestId());
    if (p != null) p.replyTo().tell(new NoFrame(p.waitingFor()));
    return Behaviors.same();
  }
}
