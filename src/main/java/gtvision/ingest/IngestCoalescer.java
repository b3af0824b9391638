package gtvision.ingest;

import gtvision.camera.CameraEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Coalesces concurrent bulk-ingest writes per camera: at most one {@code IngestDetections} per camera is
 * in flight from this node, and the writes that arrive meanwhile go out together as the next one. Under
 * load a camera then costs one journal write per round trip instead of one per request, which is what
 * bound ingest (each request touches many cameras). Every request's groups stay in one atomic write, so
 * "all or none per camera" still holds; a merged write's reply goes to each of its requests.
 */
final class IngestCoalescer {
  sealed interface Command {}

  /** Write these groups to the camera; the entity's reply comes back to {@code replyTo}. */
  record Write(String cameraId, List<CameraEntity.DetectionGroup> groups, ActorRef<CameraEntity.Reply> replyTo)
      implements Command {}

  /** A write finished; {@code reply} is null when the entity did not answer in time. */
  private record Written(String cameraId, List<Write> writes, CameraEntity.Reply reply) implements Command {}

  private final ActorContext<Command> context;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Duration removalGrace;
  // Cameras with a write in flight, each with the writes waiting for the next round.
  private final Map<String, List<Write>> waiting = new HashMap<>();

  private IngestCoalescer(ActorContext<Command> context, ClusterSharding sharding, Duration timeout, Duration removalGrace) {
    this.context = context;
    this.sharding = sharding;
    this.timeout = timeout;
    this.removalGrace = removalGrace;
  }

  static Behavior<Command> create(ClusterSharding sharding, Duration timeout, Duration removalGrace) {
    return Behaviors.setup(context -> new IngestCoalescer(context, sharding, timeout, removalGrace).behavior());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Write.class, this::onWrite)
        .onMessage(Written.class, this::onWritten)
        .build();
  }

  private Behavior<Command> onWrite(Write write) {
    List<Write> queued = waiting.get(write.cameraId());
    if (queued != null) {
      queued.add(write);
    } else {
      waiting.put(write.cameraId(), new ArrayList<>());
      send(write.cameraId(), List.of(write));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onWritten(Written written) {
    // No reply on a timeout: each request's own ask times out and answers 503, as without coalescing.
    if (written.reply() != null) written.writes().forEach(w -> w.replyTo().tell(written.reply()));
    List<Write> next = waiting.get(written.cameraId());
    if (next.isEmpty()) {
      waiting.remove(written.cameraId());
    } else {
      waiting.put(written.cameraId(), new ArrayList<>());
      send(written.cameraId(), next);
    }
    return Behaviors.same();
  }

  private void send(String cameraId, List<Write> writes) {
    List<CameraEntity.DetectionGroup> groups = writes.stream().flatMap(w -> w.groups().stream()).toList();
    context.ask(CameraEntity.Reply.class, sharding.entityRefFor(CameraEntity.TYPE_KEY, cameraId), timeout,
        replyTo -> new CameraEntity.IngestDetections(groups, removalGrace, replyTo),
        (reply, error) -> new Written(cameraId, writes, reply));
  }
}
