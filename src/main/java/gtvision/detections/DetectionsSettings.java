package gtvision.detections;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/** {@code gtv.detections} (detections.conf): read side queries, Kafka and live feed settings. */
public record DetectionsSettings(
    int defaultLimit,
    int maxLimit,
    Optional<String> kafkaBootstrap,
    String kafkaTopic,
    int liveBuffer,
    Duration liveSlowConsumerTimeout) {

  public static DetectionsSettings from(Config root) {
    Config c = root.getConfig("gtv.detections");
    String bootstrap = c.getString("kafka.bootstrap").strip();
    return new DetectionsSettings(
        c.getInt("query.default-limit"),
        c.getInt("query.max-limit"),
        bootstrap.isEmpty() ? Optional.empty() : Optional.of(bootstrap),
        c.getString("kafka.topic"),
        positive(c.getInt("live.buffer"), "live.buffer"),
        c.getDuration("live.slow-consumer-timeout"));
  }

  private static int positive(int value, String name) {
    if (value <= 0) throw new IllegalArgumentException("gtv.detections." + name + " must be positive, not " + value);
    return value;
  }
}
