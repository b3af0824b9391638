package gtvision.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Features;
import org.apache.kafka.server.common.MetadataVersion;

/** A real Kafka broker in the JVM: one KRaft node (broker and controller) on free ports and a temp log dir. */
public final class TestKafka implements AutoCloseable {
  private final KafkaRaftServer server;
  private final int port;

  public TestKafka(Path dir) throws Exception {
    port = TestNodes.freePort();
    int controllerPort = TestNodes.freePort();
    String logDir = Files.createDirectories(dir.resolve("kafka-logs")).toString();
    Properties p = new Properties();
    p.putAll(Map.of(
        "process.roles", "broker,controller",
        "node.id", "1",
        "controller.quorum.voters", "1@127.0.0.1:" + controllerPort,
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners", "PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names", "CONTROLLER",
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs", logDir,
        "offsets.topic.replication.factor", "1",
        "transaction.state.log.replication.factor", "1"));
    p.putAll(Map.of(
        "transaction.state.log.min.isr", "1",
        "num.partitions", "4",
        "group.initial.rebalance.delay.ms", "0",
        "auto.create.topics.enable", "true"));
    new Formatter()
        .setPrintStream(System.out)
        .setSupportedFeatures(Features.PRODUCTION_FEATURES)
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .setDirectories(List.of(logDir))
        .setMetadataLogDirectory(logDir)
        .setControllerListenerName("CONTROLLER")
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .run();
    server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
    server.startup();
  }

  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
