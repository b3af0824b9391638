package gtvision.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraMetrics;
import gtvision.camera.CameraSpec;
import gtvision.camera.Cameras;
import gtvision.camera.readside.CameraTable;
import gtvision.metrics.Metrics;
import gtvision.persistence.Database;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node in its own JVM gets SIGTERM: it leaves the cluster (not downed) and its cameras move. */
class GracefulShutdownTest {
  @TempDir Path dataDir;

  @Test
  void sigtermLeavesTheClusterAndHandsShardsOff() throws Exception {
    Config db = TestDatabases.preferPostgres("sigterm", dataDir);
    // The first commands to a cold JVM on a loaded 2-core machine can take seconds.
    TestNodes.Node a = TestNodes.start(db, ConfigFactory.parseString("gtv.camera.ask-timeout = 30s"));
    Process b = null;
    try {
      int bCluster = TestNodes.freePort();
      int bHttp = TestNodes.freePort();
      b = startNodeProcess(db, a.clusterPort(), bCluster, bHttp);
      TestProbe<ClusterEvent.MemberEvent> events = TestProbe.create(a.system());
      Cluster.get(a.system()).subscriptions().tell(Subscribe.create(events.getRef(), ClusterEvent.MemberEvent.class));
      awaitMembers(a, 2, Duration.ofSeconds(60));
      TestNodes.awaitHealthy(new TestNodes.Node(null, bHttp, 0, bCluster), Duration.ofSeconds(60));

      Cameras cameras = new Cameras(a.system(), new CameraMetrics(Metrics.get(a.system()).registry()),
        CameraTable.listing(Database.get(a.system())));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String id = "sigterm-" + i;
        ids.add(id);
        assertInstanceOf(CameraEntity.Accepted.class, cameras.register(id,
            new CameraSpec("C" + i, "rtsp://u:p@h/s", "rtsp", 1.0, null, List.of(), true)).toCompletableFuture().get());
      }

      b.destroy(); // SIGTERM: the JVM's shutdown hook runs coordinated shutdown
      assertTrue(b.waitFor(60, TimeUnit.SECONDS), "node B exits after SIGTERM");

      // A graceful leave shows up as MemberRemoved after Exiting, never as an unreachable member.
      boolean removed = false;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!removed && System.nanoTime() < deadline) {
        ClusterEvent.MemberEvent event = events.receiveMessage(Duration.ofSeconds(30));
        if (event instanceof ClusterEvent.MemberRemoved r && r.member().address().port().get().equals(bCluster)) {
          assertEquals(MemberStatus.exiting(), r.previousStatus(), "left, not downed");
          removed = true;
        }
      }
      assertTrue(removed, "node B was removed from the cluster");
      for (String id : ids) {
        var reply = cameras.get(id).toCompletableFuture().get();
        assertEquals(CameraEntity.Status.ENABLED, assertInstanceOf(CameraEntity.Accepted.class, reply).state().status());
      }
    } finally {
      if (b != null && b.isAlive()) b.destroyForcibly();
      a.stop();
    }
  }

  private Process startNodeProcess(Config db, int seedPort, int clusterPort, int httpPort) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), "gtvision.Main");
    Map<String, String> env = builder.environment();
    env.put("GTV_HTTP_PORT", Integer.toString(httpPort));
    env.put("GTV_MANAGEMENT_PORT", Integer.toString(TestNodes.freePort()));
    env.put("GTV_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("GTV_SEED_NODES", "pekko://gtvision@127.0.0.1:" + seedPort);
    env.put("GTV_DATA_DIR", dataDir.toString());
    env.put("GTV_DB", db.getString("gtv.db.kind"));
    if (db.hasPath("gtv.db.url")) {
      env.put("GTV_DB_URL", db.getString("gtv.db.url"));
      env.put("GTV_DB_USER", db.getString("gtv.db.user"));
      env.put("GTV_DB_PASSWORD", db.getString("gtv.db.password"));
    }
    File log = Files.createTempFile("gtv-node-b", ".log").toFile();
    return builder.redirectErrorStream(true).redirectOutput(log).start();
  }

  private static void awaitMembers(TestNodes.Node node, int expected, Duration timeout) throws InterruptedException {
    Cluster cluster = Cluster.get(node.system());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      long up = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .filter(m -> m.status().equals(MemberStatus.up())).count();
      if (up == expected) return;
      Thread.sleep(200);
    }
    throw new AssertionError("never " + expected + " up members");
  }
}
