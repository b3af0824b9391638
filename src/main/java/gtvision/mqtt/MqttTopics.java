package gtvision.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import gtvision.alerts.AlertMessage;
import gtvision.camera.CameraEntity;
import gtvision.camera.StreamHealth;
import gtvision.detections.DetectionMessage;
import gtvision.objects.ObjectMessage;
import java.util.List;

/**
 * Which camera event becomes which MQTT message, in Frigate's layout ({@code <prefix>/<cameraId>/<kind>}):
 *
 * <ul>
 *   <li>{@code DetectionsRecorded} → {@code <prefix>/<cameraId>/detections}: the Kafka record
 *       ({@link DetectionMessage}, same fields and {@code version}), not retained;
 *   <li>stream and lifecycle events → {@code <prefix>/<cameraId>/status}, retained: the camera's stream state
 *       as its health reports it ({@code idle}, {@code connecting}, {@code connected}, {@code lost}); a removed
 *       camera's retained status is cleared (empty payload).
 * </ul>
 *
 *   <li>tracked objects' {@code ObjectStarted}, {@code ObjectUpdated} and {@code ObjectEnded} → {@code
 *       <prefix>/<cameraId>/object}: the Kafka {@code object} record ({@link ObjectMessage}), not retained;
 *   <li>watch-list hits, {@code AlertRaised} → {@code <prefix>/<cameraId>/alert}: the Kafka {@code alert}
 *       record ({@link AlertMessage}), not retained.
 * </ul>
 *
 * Camera ids are [a-z0-9_-] (CameraValidator), so they are always a
 * single topic level without wildcards.
 */
public final class MqttTopics {
  public static final String AVAILABILITY = "availability";
  public static final String ONLINE = "online";
  public static final String OFFLINE = "offline";
  public static final String DETECTIONS = "detections";
  public static final String OBJECT = "object";
  public static final String ALERT = "alert";
  public static final String STATUS = "status";

  private final String prefix;
  private final ObjectMapper mapper;

  public MqttTopics(String prefix, ObjectMapper mapper) {
    this.prefix = prefix;
    this.mapper = mapper;
  }

  /** The node's retained online/offline topic (also its Last Will). */
  public String availability() {
    return prefix + "/" + AVAILABILITY;
  }

  public String camera(String cameraId, String kind) {
    return prefix + "/" + cameraId + "/" + kind;
  }

  /** The messages for one camera event ({@code sequenceNr}: its place in the camera's journal); none for the rest. */
  public List<MqttMessage> messagesFor(CameraEntity.Event event, long sequenceNr) {
    if (event instanceof CameraEntity.DetectionsRecorded recorded) {
      return List.of(new MqttMessage(camera(recorded.cameraId(), DETECTIONS), json(DetectionMessage.of(recorded, sequenceNr)),
          false));
    }
    if (event instanceof CameraEntity.ObjectEvent object) {
      return List.of(new MqttMessage(camera(object.cameraId(), OBJECT), json(ObjectMessage.of(object, sequenceNr)), false));
    }
    if (event instanceof CameraEntity.AlertRaised alert) {
      return List.of(new MqttMessage(camera(alert.cameraId(), ALERT), json(AlertMessage.of(alert, sequenceNr)), false));
    }
    if (event instanceof CameraEntity.Registered || event instanceof CameraEntity.Disabled) {
      return status(event, StreamHealth.IDLE_STATE);
    }
    if (event instanceof CameraEntity.Enabled) return status(event, StreamHealth.CONNECTING);
    if (event instanceof CameraEntity.StreamConnected) return status(event, StreamHealth.CONNECTED);
    if (event instanceof CameraEntity.StreamLost) return status(event, StreamHealth.LOST);
    if (event instanceof CameraEntity.Removed) {
      return List.of(new MqttMessage(camera(event.cameraId(), STATUS), new byte[0], true));
    }
    // Updated, FirstFrame (the stream is already connected), StreamStatsRecorded: nothing for MQTT.
    return List.of();
  }

  private List<MqttMessage> status(CameraEntity.Event event, String state) {
    return List.of(MqttMessage.retained(camera(event.cameraId(), STATUS), state));
  }

  private byte[] json(Object message) {
    try {
      return mapper.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
