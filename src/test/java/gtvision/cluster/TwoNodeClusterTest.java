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
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.CameraShards;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.LiveFeedClient;
import gtvision.testsupport.LiveFeedTopics;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes in one JVM (two ActorSystems on their own ports) sharing one journal. */
class TwoNodeClusterTest {
  private static final int CAMERAS = 20;
  @TempDir Path dataDir;

  private static Cameras cameras(TestNodes.Node node) {
    return new Cameras(node.system(), new CameraMetrics(Metrics.get(node.system()).registry()),
        CameraTable.listing(Database.get(node.system())));
  }

  private static CameraEntity.State accepted(CameraEntity.Reply reply) {
    return assertInstanceOf(CameraEntity.Accepted.class, reply, String.valueOf(reply)).state();
  }

  @Test
  void camerasAreReadableThroughEitherNodeAndSurviveANodeLeaving() throws Exception {
    Config db = TestDatabases.preferPostgres("cluster", dataDir);
    TestNodes.Node a = TestNodes.start(db);
    TestNodes.Node b = null;
    try {
      b = startJoining(a, db, ConfigFactory.empty());

      Map<String, CameraEntity.State> registered = new HashMap<>();
      for (int i = 0; i < CAMERAS; i++) {
        String id = "cluster-cam-" + i;
        accepted(cameras(a).register(id, new CameraSpec("Camera " + i, "rtsp://u:p@10.0.0." + i + "/s", "rtsp",
            1.0, null, List.of(), i % 2 == 0)).toCompletableFuture().get());
        registered.put(id, accepted(cameras(a).get(id).toCompletableFuture().get()));
      }

      // Registered through A, readable through B's HTTP API.
      HttpResponse<String> viaB = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(b.baseUrl() + "/api/cameras/cluster-cam-3")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, viaB.statusCode(), viaB.body());
      assertTrue(viaB.body().contains("\"name\":\"Camera 3\""));
      assertTrue(viaB.body().contains("rtsp://u:***@"), "masked through the other node too");

      int shardsOnB = shardsWithEntities(b);
      assertTrue(shardsOnB > 0, "some cameras live on node B before it leaves");

      b.stop(); // coordinated shutdown: leave the cluster, hand the shards off
      b = null;
      awaitUpMembers(a, 1);

      for (var entry : registered.entrySet()) {
        CameraEntity.State now = accepted(cameras(a).get(entry.getKey()).toCompletableFuture().get());
        CameraEntity.State before = entry.getValue();
        // Stream health moves on by itself (the cameras' sources are unreachable): compare the rest.
        String what = "state of " + entry.getKey() + " after node B left";
        assertEquals(before.config(), now.config(), what);
        assertEquals(before.status(), now.status(), what);
        assertEquals(before.counters(), now.counters(), what);
        assertEquals(before.createdAt(), now.createdAt(), what);
        assertEquals(before.updatedAt(), now.updatedAt(), what);
      }
    } finally {
      if (b != null) b.stop();
      a.stop();
    }
  }

  @Test
  void anEnabledCameraStreamingOnANodeThatLeavesStreamsAgainOnTheSurvivor() throws Exception {
    Config db = TestDatabases.preferPostgres("move", dataDir);
    try (TestCameraServer camera = new TestCameraServer(TestImages.panning("kite.jpg", 640, 360, 8), 10, MediaTools.mediaDir())) {
      TestNodes.Node a = TestNodes.start(db, IngestTestConfig.fast());
      TestNodes.Node b = null;
      try {
        b = startJoining(a, db, IngestTestConfig.fast());
        CameraApi apiA = new CameraApi(a);
        CameraApi apiB = new CameraApi(b);
        for (int i = 0; i < 8; i++) apiA.register("moving-" + i, "snapshot", camera.url("/snapshot.jpg"), 2.0);

        Set<String> onB = entitiesOn(b);
        assertTrue(!onB.isEmpty(), "some of the 8 cameras live on node B");
        String moved = onB.iterator().next();
        String tag = "camera=\"" + moved + "\"";
        apiB.awaitMetric("gtv_frames_received_total", tag, 3, Duration.ofSeconds(30));
        assertEquals(0.0, apiA.metric("gtv_frames_received_total", tag), "node A never ran " + moved + " before");

        b.stop(); // coordinated shutdown: B leaves, its shards are handed off
        b = null;
        awaitUpMembers(a, 1);

        // Nothing is sent to the camera: remember-entities must bring it (and its stream) up on A by itself.
        apiA.awaitMetric("gtv_frames_received_total", tag, 4, Duration.ofSeconds(40));
        assertTrue(entitiesOn(a).contains(moved), moved + " now lives on node A");
        var state = apiA.await(moved, Duration.ofSeconds(20),
            c -> "connected".equals(c.path("health").path("state").asText()) && c.path("health").path("measuredFps").asDouble() > 0,
            "connected and measuring frames on node A");
        long seen = state.path("counters").path("framesSeen").asLong();
        apiA.await(moved, Duration.ofSeconds(20), c -> c.path("counters").path("framesSeen").asLong() > seen, "more frames on node A");
      } finally {
        if (b != null) b.stop();
        a.stop();
      }
    }
  }

  @Test
  void theNewestFrameOfACameraIsServedByEitherNodeWhereverItStreams() throws Exception {
    Config db = TestDatabases.preferPostgres("latest_frame", dataDir);
    // Full-HD frames with sensor noise at quality 95: over a megabyte each, far over Artery's 256 KiB for
    // ordinary messages, so the answer must take the large-message lane.
    List<byte[]> frames = TestImages.panning("kite.jpg", 1920, 1080, 2, 95, 6.0);
    assertTrue(frames.stream().allMatch(f -> f.length > 512 * 1024), "test frames over 512 KiB");
    try (TestCameraServer camera = new TestCameraServer(frames, 2, MediaTools.mediaDir())) {
      TestNodes.Node a = TestNodes.start(db, IngestTestConfig.fast());
      TestNodes.Node b = null;
      try {
        b = startJoining(a, db, IngestTestConfig.fast());
        CameraApi apiA = new CameraApi(a);
        for (int i = 0; i < 6; i++) apiA.register("frame-" + i, "snapshot", camera.url("/snapshot.jpg"), 1.0);
        apiA.register("frame-off", "snapshot", camera.url("/snapshot.jpg"), 1.0, "\"enabled\": false");
        Set<String> onA = entitiesOn(a);
        Set<String> onB = entitiesOn(b);
        String streamsOnA = onA.stream().filter(id -> id.matches("frame-[0-9]")).findFirst().orElseThrow(() -> new AssertionError("none on A: " + onB));
        String streamsOnB = onB.stream().filter(id -> id.matches("frame-[0-9]")).findFirst().orElseThrow(() -> new AssertionError("none on B: " + onA));

        for (var asked : List.of(Map.entry(b, streamsOnA), Map.entry(a, streamsOnB))) {
          HttpResponse<byte[]> local = awaitFrame(asked.getKey() == a ? b : a, asked.getValue());
          HttpResponse<byte[]> remote = awaitFrame(asked.getKey(), asked.getValue());
          assertEquals("image/jpeg", remote.headers().firstValue("Content-Type").orElseThrow());
          assertTrue(remote.body().length > 512 * 1024, "the whole frame: " + remote.body().length + " bytes");
          assertTrue(frames.stream().anyMatch(f -> java.util.Arrays.equals(f, remote.body())), "one of the camera's own frames");
          long seenLocally = Long.parseLong(local.headers().firstValue("X-Frame-Sequence").orElseThrow());
          long seenRemotely = Long.parseLong(remote.headers().firstValue("X-Frame-Sequence").orElseThrow());
          assertTrue(seenRemotely >= seenLocally, "the newest frame, not an older copy: " + seenRemotely + " < " + seenLocally);
        }
        // A camera that does not stream has no frame anywhere: each node says so after asking the other.
        for (TestNodes.Node node : List.of(a, b)) {
          HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(node.baseUrl() + "/api/cameras/frame-off/frame/latest")).build(), HttpResponse.BodyHandlers.ofString());
          assertEquals(404, none.statusCode(), none.body());
          assertTrue(none.body().contains("on any node"), none.body());
        }
      } finally {
        if (b != null) b.stop();
        a.stop();
      }
    }
  }

  /** The camera's newest frame through {@code node}'s API, once it has one (a camera's first frame takes a moment). */
  private static HttpResponse<byte[]> awaitFrame(TestNodes.Node node, String cameraId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<byte[]> r;
    do {
      r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/cameras/" + cameraId + "/frame/latest"))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() == 200) return r;
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(cameraId + " through port " + node.httpPort() + ": " + r.statusCode() + " " + new String(r.body()));
  }

  @Test
  void aLiveFeedClientOnOneNodeSeesDetectionsPersistedOnTheOther() throws Exception {
    Config db = TestDatabases.preferPostgres("live_cluster", dataDir);
    TestNodes.Node a = TestNodes.start(db);
    TestNodes.Node b = null;
    try {
      b = startJoining(a, db, ConfigFactory.empty());
      CameraApi apiA = new CameraApi(a);
      for (int i = 0; i < 8; i++) apiA.register("live-" + i, "snapshot", "http://127.0.0.1:9/x.jpg", 1.0, "\"enabled\": false");
      Set<String> onA = entitiesOn(a);
      String camera = onA.stream().filter(id -> id.startsWith("live-")).findFirst()
          .orElseThrow(() -> new AssertionError("none of the 8 cameras lives on node A"));

      LiveFeedClient client = LiveFeedClient.reading(URI.create("ws://127.0.0.1:" + b.httpPort() + "/api/live?camera=" + camera));
      // The subscription spreads to the other node asynchronously (through the receptionist): node A
      // publishes only to the topic instances it knows have subscribers.
      LiveFeedTopics.await(a.system(), stats -> stats.topicInstanceCount() >= 1, "node A knows node B's subscriber");

      // Persisted by the entity on node A (asked through A), streamed by node B.
      String body = "{\"detections\": [{\"cameraId\": \"" + camera + "\", \"timestamp\": \"2026-11-24T10:00:00Z\", "
          + "\"class\": \"truck\", \"confidence\": 0.8, \"bbox\": [1, 2, 30, 40], \"plate\": \"CRS0N0D\"}]}";
      HttpResponse<String> ingested = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        ingested = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.baseUrl() + "/api/ingest/detections"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (ingested.statusCode() != 400) break; // 400 until the read side knows the camera
        Thread.sleep(200);
      }
      assertEquals(200, ingested.statusCode(), ingested.body());
      String message = client.next(20);
      assertTrue(message != null, "node B's client got the detection persisted on node A");
      assertTrue(message.contains("\"cameraId\":\"" + camera + "\"") && message.contains("CRS0N0D"), message);
      client.close();
    } finally {
      if (b != null) b.stop();
      a.stop();
    }
  }

  private static Set<String> entitiesOn(TestNodes.Node node) {
    return CameraShards.entitiesOn(node);
  }

  private static int shardsWithEntities(TestNodes.Node node) {
    return (int) CameraShards.regionState(node).getShards().stream().filter(s -> !s.getEntityIds().isEmpty()).count();
  }

  /** A second node on the same database that joins {@code a}'s cluster; returns once both are up. */
  private static TestNodes.Node startJoining(TestNodes.Node a, Config db, Config extra) throws InterruptedException {
    TestNodes.Node b = TestNodes.start(db, ConfigFactory.parseString(
        "gtv.cluster.seed-nodes = \"pekko://gtvision@127.0.0.1:" + a.clusterPort() + "\"").withFallback(extra));
    try {
      awaitUpMembers(a, 2);
      CameraShards.awaitRegions(a, 2, Duration.ofSeconds(30));
    } catch (AssertionError | InterruptedException e) {
      b.stop();
      throw e;
    }
    return b;
  }

  private static void awaitUpMembers(TestNodes.Node node, int expected) throws InterruptedException {
    Cluster cluster = Cluster.get(node.system());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      var members = StreamSupport.stream(cluster.state().getMembers().spliterator(), false).toList();
      if (members.size() == expected && members.stream().allMatch(m -> m.status().equals(MemberStatus.up()))) return;
      Thread.sleep(100);
    }
    throw new AssertionError("cluster never reached " + expected + " up members");
  }
}
