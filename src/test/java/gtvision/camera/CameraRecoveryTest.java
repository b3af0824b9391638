package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.readside.CameraTable;
import gtvision.metrics.Metrics;
import gtvision.persistence.Database;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The entity on the real PostgreSQL journal survives a full restart of its node. */
class CameraRecoveryTest {
  private static final String ID = "cam-recovery";

  private static CameraEntity.State ask(TestNodes.Node node, Function<Cameras, CompletionStage<CameraEntity.Reply>> command) {
    Cameras cameras = new Cameras(node.system(), new CameraMetrics(Metrics.get(node.system()).registry()),
        CameraTable.listing(Database.get(node.system())));
    CameraEntity.Reply reply = command.apply(cameras).toCompletableFuture().join();
    return assertInstanceOf(CameraEntity.Accepted.class, reply, reply.toString()).state();
  }

  private static CameraSpec spec(String name) {
    return new CameraSpec(name, "rtsp://user:pw@10.0.0.7/stream1", "rtsp", 2.0, new Location(-23.5, -46.6),
        List.of("gate", "north"), null);
  }

  @Test
  void stateIsRecoveredIdenticallyAfterTheActorSystemRestarts() {
    Config db = TestDatabases.postgres("recovery");
    TestNodes.Node first = TestNodes.start(db);
    CameraEntity.State before;
    try {
      ask(first, c -> c.register(ID, spec("Gate 3")));
      before = ask(first, c -> c.enable(ID));
    } finally {
      first.stop();
    }

    TestNodes.Node second = TestNodes.start(db);
    try {
      CameraEntity.State after = ask(second, c -> c.get(ID));
      // The stream's health moves on by itself (the source is unreachable): everything else is identical.
      assertEquals(before.withHealth(StreamHealth.IDLE), after.withHealth(StreamHealth.IDLE));
      assertEquals(CameraEntity.Status.ENABLED, after.status());
    } finally {
      second.stop();
    }
  }

  @Test
  void enabledCamerasStreamAgainAfterAFullRestartWithoutAnyCommand() throws Exception {
    Config db = TestDatabases.postgres("remember");
    try (TestCameraServer camera = new TestCameraServer(TestImages.panning("dog.jpg", 320, 240, 3), 5, MediaTools.mediaDir())) {
      TestNodes.Node first = TestNodes.start(db, IngestTestConfig.fast());
      try {
        ask(first, c -> c.register("cam-remembered", new CameraSpec("Snapshots", camera.url("/snapshot.jpg"), "snapshot",
            5.0, null, List.of(), true)));
        ask(first, c -> c.register("cam-disabled", new CameraSpec("Off", camera.url("/still.jpg"), "snapshot",
            5.0, null, List.of(), false)));
        awaitRequests(camera, 3);
      } finally {
        first.stop();
      }
      long afterStop = camera.requests();
      MediaTools.sleep(500);
      assertEquals(afterStop, camera.requests(), "no requests while the node is down");

      // No command reaches the camera: remember-entities starts it and its stream on the new node.
      TestNodes.Node second = TestNodes.start(db, IngestTestConfig.fast());
      try {
        awaitRequests(camera, afterStop + 3);
      } finally {
        second.stop();
      }
    }
  }

  private static void awaitRequests(TestCameraServer camera, long atLeast) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (camera.requests() < atLeast) {
      if (System.nanoTime() > deadline) throw new AssertionError("camera requests " + camera.requests() + " < " + atLeast);
      MediaTools.sleep(100);
    }
  }

  @Test
  void stateIsRecoveredFromASnapshotAfterTheActorSystemRestarts() {
    Config db = TestDatabases.postgres("snapshot");
    Config snapshotEvery3 = ConfigFactory.parseString("gtv.camera.snapshot-every = 3");
    TestNodes.Node first = TestNodes.start(db, snapshotEvery3);
    CameraEntity.State before;
    try {
      ask(first, c -> c.register(ID, spec("Gate 3")));
      for (int i = 0; i < 4; i++) {
        ask(first, c -> c.enable(ID));
        ask(first, c -> c.disable(ID));
      }
      before = ask(first, c -> c.update(ID, spec("Gate 3 renamed")));
      assertTrue(snapshotsOf(first) >= 1, "a snapshot was written");
    } finally {
      first.stop();
    }

    TestNodes.Node second = TestNodes.start(db, snapshotEvery3);
    try {
      assertEquals(before, ask(second, c -> c.get(ID)));
      assertTrue(snapshotsOf(second) <= 2, "old snapshots are deleted");
    } finally {
      second.stop();
    }
  }

  private static long snapshotsOf(TestNodes.Node node) {
    return Database.get(node.system()).run(connection -> {
      try (PreparedStatement ps = connection.prepareStatement("SELECT COUNT(*) FROM snapshot WHERE persistence_id = ?")) {
        ps.setString(1, "Camera|" + ID);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }).toCompletableFuture().join();
  }
}
