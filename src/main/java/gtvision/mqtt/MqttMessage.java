package gtvision.mqtt;

import java.nio.charset.StandardCharsets;

/**
 * One message for the broker. {@code retained}: the broker keeps it as the topic's current value and hands it
 * to every new subscriber (availability, camera status); an empty retained payload clears that value.
 */
public record MqttMessage(String topic, byte[] payload, boolean retained) {

  public static MqttMessage retained(String topic, String text) {
    return new MqttMessage(topic, text.getBytes(StandardCharsets.UTF_8), true);
  }

  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }
}
