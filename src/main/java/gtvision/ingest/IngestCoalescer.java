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
 * Coalesces concurrent bulk-ingest writes per camera: at most one {@code IngestDetections} per camera
 * holds the queue from this node, and the writes that arrive meanwhile go out together as the next one.
 * Under load a camera then costs one journal write per round trip instead of one per request, which is
 * what bound ingest (each request touches many cameras). Every request's groups stay in one atomic write,
 * so "all or none per camera" still holds; a merged write's reply goes to each of its requests.
 *
 * <p>A write that has not been answered after {@code releaseAfter} stops holding the queue (it still
 * waits for its answer until {@code timeout}): a write sent to a node that just died is lost, and the
 * camera's later writes must not wait out its whole timeout once the camera runs elsewhere.
 */
final class IngestCoalescer {
  sealed interface Command {}

  /** Write these groups to the camera; the entity's reply comes back to {@code replyTo}. */
  record Write(String cameraId, List<CameraEntity.DetectionGroup> groups, ActorRef<CameraEntity.Reply> replyTo)
      implements Command {}

  /** A write finished; {@code reply} is null when the entity did not answer in time. */
  private record Written(String cameraId, long attempt, List<Write> writes, CameraEntity.Reply reply)
      implements Command {}

  /** The write {@code attempt} has been on its way for {@code releaseAfter}. */
  private record Overdue(String cameraId, long attempt) implements Command {}

  /** The write that holds a camera's queue, and the writes waiting for the next round. */
  private static final class Queue {
    long holder;
    final List<Write> next = new ArrayList<>();
  }

  private final ActorContext<Command> context;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Duration releaseAfter;
  private final Duration removalGrace;
  // Cameras with a write holding the queue.
  private final Map<String, Queue> queues = new HashMap<>();
  private long attempts;

  private IngestCoalescer(ActorContext<Command> context, ClusterSharding sharding, Duration timeout,
      Duration releaseAfter, Duration removalGrace) {
    this.context = context;
    this.sharding = sharding;
    this.timeout = timeout;
    this.releaseAfter = releaseAfter;
    this.removalGrace = removalGrace;
  }

  static Behavior<Command> create(ClusterSharding sharding, Duration timeout, Duration releaseAfter,
      Duration removalGrace) {
    return Behaviors.setup(context ->
        new IngestCoalescer(context, sharding, timeout, releaseAfter, removalGrace).behavior());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Write.class, this::onWrite)
        .onMessage(Written.class, this::onWritten)
        .onMessage(Overdue.class, this::onOverdue)
        .build();
  }

  private Behavior<Command> onWrite(Write write) {
    Queue queue = queues.get(write.cameraId());
    if (queue != null) {
      queue.next.add(write);
    } else {
      queue = new Queue();
      queues.put(write.cameraId(), queue);
      queue.holder = send(write.cameraId(), List.of(write));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onWritten(Written written) {
    // No reply on a timeout: each request's own ask times out and answers 503, as without coalescing.
    if (written.reply() != null) written.writes().forEach(w -> w.replyTo().tell(written.reply()));
    release(written.cameraId(), written.attempt());
    return Behaviors.same();
  }

  private Behavior<Command> onOverdue(Overdue overdue) {
    release(overdue.cameraId(), overdue.attempt());
    return Behaviors.same();
  }

  /** The camera's next round goes out if {@code attempt} still holds its queue. */
  private void release(String cameraId, long attempt) {
    Queue queue = queues.get(cameraId);
    if (queue == null || queue.holder != attempt) return;
    if (queue.next.isEmpty()) {
      queues.remove(cameraId);
    } else {
      List<Write> next = List.copyOf(queue.next);
      queue.next.clear();
      queue.holder = send(cameraId, next);
    }
  }

  private long send(String cameraId, List<Write> writes) {
    long attempt = ++attempts;
    List<CameraEntity.DetectionGroup> groups = writes.stream().flatMap(w -> w.groups().stream()).toList();
    context.ask(CameraEntity.Reply.class, sharding.entityRefFor(CameraEntity.TYPE_KEY, cameraId), timeout,
        replyTo -> new CameraEntity.IngestDetections(groups, removalGrace, replyTo),
        (reply, error) -> new Written(cameraId, attempt, writes, reply));
    context.scheduleOnce(releaseAfter, context.getSelf(), new Overdue(cameraId, attempt));
    return attempt;
  }
}
