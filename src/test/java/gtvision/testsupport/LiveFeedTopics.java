package gtvision.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.detections.LiveFeed;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The live feed's topic on a running node. A WebSocket client's subscription reaches the topic
 * asynchronously (and another node's topic later still): tests poll its statistics before they
 * publish instead of sleeping for a guessed time.
 */
public final class LiveFeedTopics {
  private LiveFeedTopics() {}

  /** Polls {@code system}'s live-feed topic until its statistics satisfy {@code condition}. */
  public static void await(ActorSystem<?> system, Predicate<Topic.TopicStats> condition, String what) throws Exception {
    ActorRef<Topic.Command<Object>> topic = Adapter.toTyped(Adapter.toClassic(system)
        .actorSelection("/system/" + LiveFeed.ACTOR_NAME)
        .resolveOne(Duration.ofSeconds(5))
        .toCompletableFuture().get(10, TimeUnit.SECONDS));
    TestProbe<Topic.TopicStats> probe = TestProbe.create(system);
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      topic.tell(Topic.getTopicStats(probe.getRef()));
      Topic.TopicStats stats = probe.receiveMessage(Duration.ofSeconds(3));
      assertTrue(condition.test(stats), what + " (subscribers here " + stats.localSubscriberCount()
          + ", topic instances known " + stats.topicInstanceCount() + ")");
      return null;
    });
  }
}
