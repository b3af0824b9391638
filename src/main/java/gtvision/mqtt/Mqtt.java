package gtvision.mqtt;

import gtvision.http.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The node's MQTT output (off unless gtv.mqtt.url is set). Settings that cannot work, or a client that cannot
 * be made, are logged and shown in /health, and the node runs on without MQTT. Main wires it; this class decides
 * nothing else.
 */
public final class Mqtt {
  private final Optional<MqttConnection> connection;
  private final Supplier<Map<String, Object>> health;
  private final MqttSettings settings;
  private final MqttTopics topics;
  private final ActorSystem<?> system;

  private Mqtt(ActorSystem<?> system, MqttSettings settings, MqttTopics topics, Optional<MqttConnection> connection,
      Supplier<Map<String, Object>> health) {
    this.system = system;
    this.settings = settings;
    this.topics = topics;
    this.connection = connection;
    this.health = health;
  }

  /** Connects in the background when gtv.mqtt.url is set; {@link #startProjections} then publishes. */
  public static Mqtt start(ActorSystem<?> system) {
    MqttSettings settings = MqttSettings.from(system.settings().config());
    MqttTopics topics = new MqttTopics(settings.topicPrefix(), Json.get(system).mapper());
    if (!settings.enabled()) return new Mqtt(system, settings, topics, Optional.empty(), Map::of);
    Optional<String> problem = settings.validate();
    if (problem.isEmpty()) {
      try {
        MqttConnection connection = MqttConnection.create(system, settings, topics);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "mqtt-offline",
            connection::stop);
        connection.start();
        return new Mqtt(system, settings, topics, Optional.of(connection), connection::health);
      } catch (Exception e) {
        problem = Optional.of("gtv.mqtt.url (GTV_MQTT_URL) cannot be used: " + MqttConnection.describe(e));
      }
    }
    String error = problem.get();
    system.log().error("MQTT output is off: {}", error);
    Map<String, Object> failed = new LinkedHashMap<>();
    failed.put("state", "failed");
    failed.put("error", error);
    Map<String, Object> body = java.util.Collections.unmodifiableMap(failed);
    return new Mqtt(system, settings, topics, Optional.empty(), () -> body);
  }

  /** Starts the publishing projection; call once the projection offset tables exist. */
  public void startProjections() {
    connection.ifPresent(c -> MqttPublisher.init(system, c, topics, settings.maxInFlight()));
  }

  /** The /health section, when MQTT is configured at all. */
  public Optional<Supplier<?>> health() {
    return settings.enabled() ? Optional.of(health) : Optional.empty();
  }
}
