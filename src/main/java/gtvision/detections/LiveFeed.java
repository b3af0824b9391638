package gtvision.detections;

import gtvision.camera.CameraEntity;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Cluster-wide pub-sub of persisted detection and object events: camera entities publish from their persist callback
 * (wherever their shard lives), and every node's live-feed connections subscribe. Delivery is
 * best effort (a live view, not a log): Kafka and the read side are the durable outputs.
 */
public final class LiveFeed implements CameraEntity.DetectionsListener {
  static final String TOPIC = "gtv-detections";
  /** The topic's system actor on every node, under {@code /system}. */
  public static final String ACTOR_NAME = "live-feed-topic";
  private final ActorSystem<?> system;
  private final ActorRef<Topic.Command<CameraEntity.Event>> topic;

  public LiveFeed(ActorSystem<?> system) {
    this.system = system;
    this.topic = system.systemActorOf(Topic.create(CameraEntity.Event.class, TOPIC), ACTOR_NAME, Props.empty());
  }

  @Override
  public void persisted(List<? extends CameraEntity.Event> events) {
    for (CameraEntity.Event event : events) topic.tell(Topic.publish(event));
  }

  /**
   * How many connections on this node are subscribed right now. Subscribing and leaving are
   * asynchronous: tests wait on this rather than for a fixed time.
   */
  CompletionStage<Integer> localSubscribers() {
    return AskPattern.<Topic.Command<CameraEntity.Event>, Topic.TopicStats>ask(
            topic, Topic::getTopicStats, Duration.ofSeconds(3), system.scheduler())
        .thenApply(Topic.TopicStats::localSubscriberCount);
  }

  /** Starts one connection's subscriber; it stops (and leaves the topic) when told or when its queue refuses. */
  ActorRef<LiveSubscriber.Message> subscribe(LiveSubscriber.Sink sink) {
    return system.systemActorOf(LiveSubscriber.create(topic, sink), "live-" + UUID.randomUUID(), Props.empty());
  }
}
