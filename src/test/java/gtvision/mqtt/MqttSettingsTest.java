package gtvision.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** gtv.mqtt as mqtt.conf ships it and as operators get it wrong. */
class MqttSettingsTest {

  private static MqttSettings settings(String hocon) {
    return MqttSettings.from(NodeConfig.load(ConfigFactory.parseString(hocon)));
  }

  @Test
  void mqttIsOffByDefaultWithFrigatesPrefixAndQos1() {
    MqttSettings defaults = settings("");
    assertFalse(defaults.enabled());
    assertEquals("gtvision", defaults.topicPrefix());
    assertEquals(1, defaults.qos());
    assertEquals(Optional.empty(), defaults.validate());
  }

  @Test
  void theClientIdIsUniquePerNodeUnlessSet() {
    MqttSettings derived = settings("pekko.remote.artery.canonical.hostname = \"10.0.0.5\"\n"
        + "pekko.remote.artery.canonical.port = 7355");
    assertEquals("gtvision-10.0.0.5-7355", derived.clientId());
    assertEquals("edge-1", settings("gtv.mqtt.client-id = edge-1").clientId());
  }

  @Test
  void aUsableUrlAndSettingsPass() {
    MqttSettings ok = settings("gtv.mqtt.url = \"tcp://127.0.0.1:1883\"\ngtv.mqtt.topic-prefix = \"site/gtvision\"");
    assertTrue(ok.enabled());
    assertEquals(Optional.empty(), ok.validate());
    assertEquals(Optional.empty(), settings("gtv.mqtt.url = \"ssl://broker.example.com:8883\"").validate());
  }

  @Test
  void aWrongUrlIsNamedWithTheExpectedForm() {
    String wrongScheme = settings("gtv.mqtt.url = \"http://127.0.0.1:1883\"").validate().orElseThrow();
    assertTrue(wrongScheme.contains("GTV_MQTT_URL") && wrongScheme.contains("'http'") && wrongScheme.contains("tcp://"),
        wrongScheme);
    String noHost = settings("gtv.mqtt.url = \"tcp://:1883\"").validate().orElseThrow();
    assertTrue(noHost.contains("no host"), noHost);
    String notAUrl = settings("gtv.mqtt.url = \"tcp://a b\"").validate().orElseThrow();
    assertTrue(notAUrl.contains("not a URL"), notAUrl);
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutRepeatingThem() {
    String problem = settings("gtv.mqtt.url = \"tcp://ha:s3cret@127.0.0.1:1883\"").validate().orElseThrow();
    assertTrue(problem.contains("GTV_MQTT_USER"), problem);
    assertFalse(problem.contains("s3cret"), problem);
  }

  @Test
  void aQosOtherThan012AndAPrefixWithWildcardsAreRefused() {
    String qos = settings("gtv.mqtt.url = \"tcp://h:1883\"\ngtv.mqtt.qos = 3").validate().orElseThrow();
    assertTrue(qos.contains("GTV_MQTT_QOS") && qos.contains("3"), qos);
    for (String prefix : new String[] {"a/#", "+", "/gtvision", "gtvision/", "a//b", ""}) {
      String problem = settings("gtv.mqtt.url = \"tcp://h:1883\"\ngtv.mqtt.topic-prefix = \"" + prefix + "\"")
          .validate().orElseThrow(() -> new AssertionError("accepted prefix '" + prefix + "'"));
      assertTrue(problem.contains("GTV_MQTT_TOPIC_PREFIX"), problem);
    }
    String window = settings("gtv.mqtt.url = \"tcp://h:1883\"\ngtv.mqtt.max-in-flight = 0").validate().orElseThrow();
    assertTrue(window.contains("max-in-flight"), window);
  }

  @Test
  void thePasswordNeverAppearsInTheSettingsText() {
    MqttSettings withPassword = settings("gtv.mqtt.url = \"tcp://h:1883\"\ngtv.mqtt.user = ha\ngtv.mqtt.password = s3cret");
    assertEquals("s3cret", withPassword.password());
    assertFalse(withPassword.toString().contains("s3cret"), withPassword.toString());
  }
}
