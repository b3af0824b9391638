package gtvision.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;

/**
 * The node's one connection to the broker (Eclipse Paho's asynchronous client): connects in the background,
 * reconnects with a doubling delay after a failed connect or a lost connection, keeps {@code <prefix>/availability}
 * "online" (retained) while connected, leaves "offline" as its Last Will for a crash and publishes it itself at
 * shutdown. Nothing here waits: publishing answers with a stage that fails at once when the broker is not
 * connected, so the projection behind it backs off and retries instead of queueing without bound.
 */
public final class MqttConnection {
  static final String CONNECTING = "connecting";
  static final String CONNECTED = "connected";
  static final String DISCONNECTED = "disconnected";
  static final String STOPPED = "stopped";
  // Room beside the projections' window for the availability messages.
  private static final int OWN_MESSAGES = 8;
  private static final Duration DISCONNECT_QUIESCE = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final MqttSettings settings;
  private final MqttTopics topics;
  private final MqttAsyncClient client;
  private final MqttConnectOptions options;
  private final Executor executor;
  private final Logger log;
  private final AtomicLong published = new AtomicLong();
  // Guarded by this: the connection's state as /health shows it, and the next reconnect delay.
  private String state = CONNECTING;
  private String lastError;
  private Duration nextDelay;
  private boolean stopped;
  private boolean everConnected;

  private MqttConnection(ActorSystem<?> system, MqttSettings settings, MqttTopics topics, MqttAsyncClient client) {
    this.system = system;
    this.settings = settings;
    this.topics = topics;
    this.client = client;
    this.executor = system.executionContext();
    this.log = system.log();
    this.nextDelay = settings.reconnectBackoffMin();
    this.options = new MqttConnectOptions();
    options.setCleanSession(true);
    // Reconnecting is ours (it also covers a first connect that fails, which Paho's does not).
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout(seconds(settings.connectTimeout()));
    options.setKeepAliveInterval(seconds(settings.keepAlive()));
    options.setMaxInflight(settings.maxInFlight() + OWN_MESSAGES);
    if (!settings.user().isEmpty()) {
      options.setUserName(settings.user());
      options.setPassword(settings.password().toCharArray());
    }
    options.setWill(topics.availability(), MqttTopics.OFFLINE.getBytes(StandardCharsets.UTF_8), settings.qos(), true);
  }

  /** A client for valid {@code settings}; call {@link #start} to connect. */
  static MqttConnection create(ActorSystem<?> system, MqttSettings settings, MqttTopics topics) throws MqttException {
    // In memory: in-flight QoS 1 messages need no files; after a restart the projection sends them again.
    MqttAsyncClient client = new MqttAsyncClient(settings.url().orElseThrow(), settings.clientId(), new MemoryPersistence());
    MqttConnection connection = new MqttConnection(system, settings, topics, client);
    client.setCallback(connection.new Callback());
    return connection;
  }

  void start() {
    connect();
  }

  private void connect() {
    synchronized (this) {
      if (stopped) return;
      state = CONNECTING;
    }
    try {
      client.connect(options, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          onConnected();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          lost("cannot connect", error);
        }
      });
    } catch (MqttException | RuntimeException e) {
      lost("cannot connect", e);
    }
  }

  private void onConnected() {
    synchronized (this) {
      if (stopped) {
        // Shutdown began while this connect was under way: leave without saying online.
        disconnect();
        return;
      }
      state = CONNECTED;
      lastError = null;
      nextDelay = settings.reconnectBackoffMin();
      everConnected = true;
    }
    log.info("MQTT connected to {} as {}; publishing under {}/", settings.url().orElseThrow(), settings.clientId(),
        settings.topicPrefix());
    publish(MqttMessage.retained(topics.availability(), MqttTopics.ONLINE)).whenComplete((done, error) -> {
      if (error != null) log.warn("MQTT: could not publish availability online: {}", describe(error));
    });
  }

  private void lost(String what, Throwable error) {
    Duration delay;
    boolean first;
    synchronized (this) {
      if (stopped) return;
      state = DISCONNECTED;
      first = lastError == null;
      lastError = what + ": " + describe(error);
      delay = nextDelay;
      nextDelay = min(nextDelay.multipliedBy(2), settings.reconnectBackoffMax());
    }
    String message = "MQTT broker " + settings.url().orElseThrow() + " (client " + settings.clientId() + ") " + what
        + ": " + describe(error) + "; detections wait in the journal, retrying in " + delay.toMillis() + " ms";
    // The first failure of a series is an error worth reading; the retries after it only warnings.
    if (first) log.error(message);
    else log.warn(message);
    system.scheduler().scheduleOnce(delay, this::connect, system.executionContext());
  }

  /**
   * Publishes with the configured QoS; completes when the broker acknowledged it (QoS 1 and 2) or it was
   * written (QoS 0), fails when not connected or not acknowledged within the publish timeout.
   */
  public CompletionStage<Done> publish(MqttMessage message) {
    CompletableFuture<Done> result = new CompletableFuture<>();
    try {
      client.publish(message.topic(), message.payload(), settings.qos(), message.retained(), null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          published.incrementAndGet();
          result.complete(Done.getInstance());
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          result.completeExceptionally(error);
        }
      });
    } catch (MqttException | RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result.orTimeout(settings.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Says "offline" (retained) while still connected, then disconnects and releases the client. */
  CompletionStage<Done> stop() {
    boolean wasConnected;
    synchronized (this) {
      stopped = true;
      wasConnected = state.equals(CONNECTED) && client.isConnected();
      state = STOPPED;
    }
    CompletionStage<Done> offline = wasConnected
        ? publish(MqttMessage.retained(topics.availability(), MqttTopics.OFFLINE)).exceptionally(error -> {
            log.warn("MQTT: could not publish availability offline at shutdown: {}", describe(error));
            return Done.getInstance();
          })
        : CompletableFuture.completedFuture(Done.getInstance());
    return offline.thenCompose(done -> disconnect()).thenApplyAsync(done -> {
      try {
        client.close(true);
      } catch (MqttException | RuntimeException e) {
        log.debug("MQTT client close: {}", describe(e));
      }
      return Done.getInstance();
    }, executor);
  }

  private CompletionStage<Done> disconnect() {
    CompletableFuture<Done> result = new CompletableFuture<>();
    try {
      if (!client.isConnected()) return CompletableFuture.completedFuture(Done.getInstance());
      client.disconnect(DISCONNECT_QUIESCE.toMillis(), null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          result.complete(Done.getInstance());
        }

        @Override
        public void onFailure(IMqttToken token, Throwable error) {
          result.complete(Done.getInstance());
        }
      });
    } catch (MqttException | RuntimeException e) {
      result.complete(Done.getInstance());
    }
    return result.completeOnTimeout(Done.getInstance(), DISCONNECT_QUIESCE.toMillis() * 2, TimeUnit.MILLISECONDS);
  }

  /** What /health shows: state, broker, client id, the last error (never credentials), messages acknowledged. */
  public synchronized Map<String, Object> health() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("state", state);
    body.put("url", settings.url().orElseThrow());
    body.put("clientId", settings.clientId());
    body.put("topicPrefix", settings.topicPrefix());
    body.put("qos", settings.qos());
    body.put("everConnected", everConnected);
    if (lastError != null) body.put("lastError", lastError);
    body.put("published", published.get());
    return body;
  }

  public synchronized boolean connected() {
    return state.equals(CONNECTED);
  }

  static String describe(Throwable error) {
    Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof java.util.concurrent.TimeoutException) return "no acknowledgement within the publish timeout";
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    if (e instanceof MqttException mqtt) text.append(" (reason ").append(mqtt.getReasonCode()).append(')');
    if (e.getCause() != null && e.getCause() != e) text.append(": ").append(e.getCause());
    return text.toString();
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, d.toSeconds());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private final class Callback implements MqttCallbackExtended {
    @Override
    public void connectionLost(Throwable cause) {
      lost("connection lost", cause);
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
      // Reported by the connect listener.
    }

    @Override
    public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
      // The node subscribes to nothing.
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // Completion is reported to each publish's listener.
    }
  }
}
