package gtvision.faults;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.CameraShards;
import gtvision.testsupport.FrameWatch;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.NodeProcess;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/**
 * Three nodes on one database for fault tests: C in its own JVM (the first, oldest member: it holds the
 * shard coordinator, so killing it is the hardest failover) and A and B in the test's JVM, plus a
 * snapshot camera server. The cluster's downing, failure detector and sharding settings are the
 * shipped ones (or the GTV_* environment): tests measure what production gets.
 */
final class ThreeNodeCluster implements AutoCloseable {
  final NodeProcess c;
  final TestNodes.Node a;
  final TestNodes.Node b;
  final TestCameraServer cameraServer;
  final Config database;

  private ThreeNodeCluster(Config database, NodeProcess c, TestNodes.Node a, TestNodes.Node b, TestCameraServer server) {
    this.database = database;
    this.c = c;
    this.a = a;
    this.b = b;
    this.cameraServer = server;
  }

  /** Settings of every node: fast stream reconnects (request limits are off in every test node). */
  static Config nodeSettings() {
    return ConfigFactory.parseString(String.join("\n",
        // A write in flight on the killed node (or at the database's crash) is rolled back and leaves a
        // gap in the journal's ordering; the read side waits this many seconds before moving past it.
        "jdbc-read-journal.journal-sequence-retrieval.max-tries = 15"))
        .withFallback(IngestTestConfig.fast());
  }

  static ThreeNodeCluster start(Config database, Path dir) throws Exception {
    TestCameraServer server = new TestCameraServer(List.of(grayJpeg()), 2, dir);
    NodeProcess c = null;
    TestNodes.Node a = null;
    try {
      c = NodeProcess.start(database, nodeSettings(), null);
      Config joinC = ConfigFactory.parseString("gtv.cluster.seed-nodes = \"" + c.address() + "\"").withFallback(nodeSettings());
      a = TestNodes.start(database, joinC);
      TestNodes.Node b = TestNodes.start(database, joinC);
      ThreeNodeCluster cluster = new ThreeNodeCluster(database, c, a, b, server);
      cluster.awaitUpMembers(3, Duration.ofSeconds(60));
      return cluster;
    } catch (Exception | AssertionError e) {
      if (a != null) a.stop();
      if (c != null) c.close();
      server.close();
      throw e;
    }
  }

  /** Registers enabled snapshot cameras (through A) and waits until every one has delivered a frame. */
  List<String> registerCameras(String prefix, int count, double fps) throws InterruptedException {
    CameraApi api = new CameraApi(a);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = prefix + "-" + i;
      api.register(id, "snapshot", cameraServer.url("/snapshot.jpg"), fps);
      ids.add(id);
    }
    Map<String, Instant> first = FrameWatch.firstFramesAfter(a.baseUrl(), ids, Instant.EPOCH, Duration.ofSeconds(90));
    Set<String> silent = new HashSet<>(ids);
    silent.removeAll(first.keySet());
    if (!silent.isEmpty()) throw new AssertionError("cameras without a first frame: " + silent);
    return ids;
  }

  /** The cameras whose entities run on C: all minus those on A and B. */
  Set<String> camerasOnC(List<String> ids) {
    Set<String> onC = new HashSet<>(ids);
    onC.removeAll(CameraShards.entitiesOn(a));
    onC.removeAll(CameraShards.entitiesOn(b));
    return onC;
  }

  String jdbcUrl() {
    return database.getString("gtv.db.url");
  }

  String dbUser() {
    return database.getString("gtv.db.user");
  }

  String dbPassword() {
    return database.getString("gtv.db.password");
  }

  void awaitUpMembers(int expected, Duration timeout) throws InterruptedException {
    Cluster cluster = Cluster.get(a.system());
    long deadline = System.nanoTime() + timeout.toNanos();
    long up = 0;
    while (System.nanoTime() < deadline) {
      up = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .filter(m -> m.status().equals(MemberStatus.up())).count();
      if (up == expected) return;
      Thread.sleep(200);
    }
    throw new AssertionError(up + " up members, expected " + expected + " within " + timeout);
  }

  @Override
  public void close() {
    c.close();
    try {
      b.stop();
    } finally {
      try {
        a.stop();
      } finally {
        cameraServer.close();
      }
    }
  }

  private static byte[] grayJpeg() {
    try (PointerScope scope = new PointerScope()) {
      Mat gray = new Mat(240, 320, opencv_core.CV_8UC3, new Scalar(128, 128, 128, 0));
      BytePointer out = new BytePointer();
      imencode(".jpg", gray, out);
      byte[] bytes = new byte[(int) out.limit()];
      out.get(bytes);
      return bytes;
    }
  }
}
