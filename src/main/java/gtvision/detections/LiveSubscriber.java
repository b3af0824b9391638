package gtvision.detections;

import gtvision.camera.CameraEntity.Event;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/** One live-feed connection's member of the topic: hands events to the connection until it is done. */
final class LiveSubscriber {
  sealed interface Message {}

  private record Published(Event event) implements Message {}

  enum Stop implements Message { INSTANCE }

  /** The connection side: answers false when it cannot take more (a slow consumer). */
  @FunctionalInterface
  interface Sink {
    boolean offer(Event event);
  }

  private LiveSubscriber() {}

  static Behavior<Message> create(ActorRef<Topic.Command<Event>> topic, Sink sink) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.messageAdapter(Event.class, Published::new)));
      return Behaviors.receive(Message.class)
          .onMessage(Published.class, p -> sink.offer(p.event()) ? Behaviors.same() : Behaviors.stopped())
          // The topic notices the stop and drops the subscription.
          .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
          .build();
    });
  }
}
