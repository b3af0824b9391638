package gtvision.mqtt;

import com.typesafe.config.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code gtv.mqtt} (mqtt.conf). {@link #from} reads only; {@link #validate} names the first setting that
 * cannot work, so that the node can report it in its log and /health and run on without MQTT.
 */
public record MqttSettings(
    Optional<String> url,
    String user,
    String password,
    String clientId,
    String topicPrefix,
    int qos,
    int maxInFlight,
    Duration publishTimeout,
    Duration connectTimeout,
    Duration keepAlive,
    Duration reconnectBackoffMin,
    Duration reconnectBackoffMax) {

  private static final Set<String> SCHEMES = Set.of("tcp", "ssl", "ws", "wss");

  /** {@code clientId} when gtv.mqtt.client-id is empty: one per node, from its cluster address. */
  public static MqttSettings from(Config root) {
    Config c = root.getConfig("gtv.mqtt");
    String url = c.getString("url").strip();
    String clientId = c.getString("client-id").strip();
    if (clientId.isEmpty()) {
      clientId = "gtvision-" + root.getString("pekko.remote.artery.canonical.hostname") + "-"
          + root.getInt("pekko.remote.artery.canonical.port");
    }
    return new MqttSettings(
        url.isEmpty() ? Optional.empty() : Optional.of(url),
        c.getString("user").strip(),
        c.getString("password"),
        clientId,
        c.getString("topic-prefix").strip(),
        c.getInt("qos"),
        c.getInt("max-in-flight"),
        c.getDuration("publish-timeout"),
        c.getDuration("connect-timeout"),
        c.getDuration("keep-alive"),
        c.getDuration("reconnect-backoff-min"),
        c.getDuration("reconnect-backoff-max"));
  }

  public boolean enabled() {
    return url.isPresent();
  }

  /** The first problem of these settings as a sentence naming the setting, or empty when they can work. */
  public Optional<String> validate() {
    if (url.isPresent()) {
      Optional<String> problem = urlProblem(url.get());
      if (problem.isPresent()) return problem;
    }
    if (qos < 0 || qos > 2) return Optional.of("gtv.mqtt.qos (GTV_MQTT_QOS) must be 0, 1 or 2, not " + qos);
    if (topicPrefix.isEmpty()) return Optional.of("gtv.mqtt.topic-prefix (GTV_MQTT_TOPIC_PREFIX) must not be empty");
    if (topicPrefix.contains("+") || topicPrefix.contains("#") || topicPrefix.startsWith("/") || topicPrefix.endsWith("/")
        || topicPrefix.contains("//") || topicPrefix.indexOf('\0') >= 0) {
      return Optional.of("gtv.mqtt.topic-prefix (GTV_MQTT_TOPIC_PREFIX) must be topic levels without wildcards (+, #)"
          + " or empty levels, not '" + topicPrefix + "'");
    }
    if (clientId.isEmpty() || clientId.length() > 65535) {
      return Optional.of("gtv.mqtt.client-id (GTV_MQTT_CLIENT_ID) is not a usable client identifier");
    }
    if (maxInFlight < 1 || maxInFlight > 65535) {
      return Optional.of("gtv.mqtt.max-in-flight (GTV_MQTT_MAX_IN_FLIGHT) must be 1..65535, not " + maxInFlight);
    }
    if (!positive(publishTimeout) || !positive(connectTimeout) || !positive(keepAlive)) {
      return Optional.of("gtv.mqtt.publish-timeout, connect-timeout and keep-alive must be positive");
    }
    if (!positive(reconnectBackoffMin) || reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
      return Optional.of("gtv.mqtt.reconnect-backoff-min must be positive and reconnect-backoff-max at least as long");
    }
    return Optional.empty();
  }

  private static Optional<String> urlProblem(String url) {
    String expected = "; expected tcp://host:1883 or ssl://host:8883";
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("gtv.mqtt.url (GTV_MQTT_URL) is not a URL: " + e.getReason() + expected);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      return Optional.of("gtv.mqtt.url (GTV_MQTT_URL) has scheme '" + scheme + "', not one of tcp, ssl, ws, wss" + expected);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("gtv.mqtt.url (GTV_MQTT_URL) has no host" + expected);
    }
    if (uri.getUserInfo() != null) {
      return Optional.of("gtv.mqtt.url (GTV_MQTT_URL) must not carry credentials: use GTV_MQTT_USER and GTV_MQTT_PASSWORD");
    }
    return Optional.empty();
  }

  private static boolean positive(Duration d) {
    return !d.isZero() && !d.isNegative();
  }

  /** The settings as they may be logged or shown: never the password. */
  @Override
  public String toString() {
    return "MqttSettings[url=" + url.orElse("") + ", user=" + (user.isEmpty() ? "" : user) + ", password="
        + (password.isEmpty() ? "" : "***") + ", clientId=" + clientId + ", topicPrefix=" + topicPrefix + ", qos=" + qos + "]";
  }
}
