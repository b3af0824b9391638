package gtvision.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A subscriber to a real broker, as Home Assistant would be: subscribes to a filter at QoS 1 and keeps every
 * message with the QoS and retained flag it arrived with.
 */
public final class MqttProbe implements AutoCloseable {
  /** One message as the subscriber got it. */
  public record Received(String topic, String text, int qos, boolean retained) {}

  private final MqttClient client;
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

  private MqttProbe(MqttClient client) {
    this.client = client;
  }

  /** A fresh subscriber (clean session) to {@code filter}. */
  public static MqttProbe subscribe(String url, String filter) throws MqttException {
    return subscribe(url, filter, "probe-" + UUID.randomUUID(), true);
  }

  /**
   * {@code cleanSession} false: the broker keeps the subscription and queues QoS 1 messages while this
   * client is away, and the client reconnects by itself after the broker went away.
   */
  public static MqttProbe subscribe(String url, String filter, String clientId, boolean cleanSession) throws MqttException {
    MqttClient client = new MqttClient(url, clientId, new MemoryPersistence());
    MqttProbe probe = new MqttProbe(client);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(cleanSession);
    options.setAutomaticReconnect(!cleanSession);
    options.setMaxReconnectDelay(1000);
    options.setConnectionTimeout(10);
    client.connect(options);
    client.subscribe(filter, 1, (topic, message) -> probe.received.add(new Received(topic,
        new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(), message.isRetained())));
    return probe;
  }

  /**
   * The retained value of {@code topic} as a new subscriber gets it (empty when the broker has none within
   * {@code timeout}).
   */
  public static Optional<Received> retained(String url, String topic, Duration timeout) throws Exception {
    try (MqttProbe probe = subscribe(url, topic)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (Received r : probe.received) if (r.retained()) return Optional.of(r);
        Thread.sleep(50);
      }
      return Optional.empty();
    }
  }

  /** Polls until the retained value of {@code topic} is {@code text}; fails with the last one seen. */
  public static Received awaitRetained(String url, String topic, String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<Received> last = Optional.empty();
    while (System.nanoTime() < deadline) {
      last = retained(url, topic, Duration.ofSeconds(1));
      if (last.isPresent() && last.get().text().equals(text)) return last.get();
    }
    throw new AssertionError("retained " + topic + " did not become '" + text + "' within " + timeout + "; last " + last);
  }

  public List<Received> received() {
    return new ArrayList<>(received);
  }

  /** Polls until the messages so far satisfy {@code condition}. */
  public List<Received> await(Predicate<List<Received>> condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<Received> now = received();
      if (condition.test(now)) return now;
      Thread.sleep(50);
    }
    throw new AssertionError(what + " not received within " + timeout + "; got " + received.size() + " messages");
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) client.disconnect();
    client.close();
  }
}
