package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.CameraShards;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which camera entities stay in memory: enabled ones; the others leave after the idle time. */
class CameraPassivationTest {
  @TempDir Path dataDir;

  @Test
  void aCameraThatIsNotEnabledLeavesMemoryWhenIdleAndAnEnabledOneStays() throws Exception {
    TestNodes.Node node = TestNodes.start(TestDatabases.preferPostgres("passivation", dataDir),
        ConfigFactory.parseString("gtv.camera.passivate-idle-after = 2s"));
    try {
      CameraApi api = new CameraApi(node);
      // The sources refuse connections: the enabled camera keeps retrying, which is fine here.
      api.register("idle-cam", "snapshot", "http://127.0.0.1:9/idle.jpg", 1.0, "\"enabled\": false");
      api.register("busy-cam", "snapshot", "http://127.0.0.1:9/busy.jpg", 1.0);
      api.register("toggled-cam", "snapshot", "http://127.0.0.1:9/toggled.jpg", 1.0);
      assertTrue(CameraShards.entitiesOn(node).containsAll(Set.of("idle-cam", "busy-cam", "toggled-cam")));

      awaitEntities(node, running -> !running.contains("idle-cam"), "idle-cam leaves memory");
      assertTrue(CameraShards.entitiesOn(node).contains("busy-cam"), "an enabled camera stays");

      // Disabled, it waits for the idle time instead of leaving at once (an operator may toggle it back).
      api.post("/api/cameras/toggled-cam/disable");
      assertTrue(CameraShards.entitiesOn(node).contains("toggled-cam"), "still there right after the disable");
      awaitEntities(node, running -> !running.contains("toggled-cam"), "toggled-cam leaves memory when idle");

      // Read, it wakes up from the journal, then leaves again.
      api.get("idle-cam");
      assertTrue(CameraShards.entitiesOn(node).contains("idle-cam"), "woken to be read");
      awaitEntities(node, running -> !running.contains("idle-cam"), "idle-cam leaves memory again");
      assertTrue(CameraShards.entitiesOn(node).contains("busy-cam"), "the enabled camera is still there");
    } finally {
      node.stop();
    }
  }

  private static void awaitEntities(TestNodes.Node node, Predicate<Set<String>> condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Set<String> running = CameraShards.entitiesOn(node);
    while (!condition.test(running) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      running = CameraShards.entitiesOn(node);
    }
    assertTrue(condition.test(running), what + "; running: " + running);
  }
}
