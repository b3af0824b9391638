package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fleet holds at most gtv.camera.max-per-node cameras per Up member. */
class CameraQuotaTest {
  @TempDir static Path dir;
  private static TestNodes.Node node;
  private static CameraApi api;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestDatabases.h2(dir), ConfigFactory.parseString("gtv.camera.max-per-node = 2"));
    api = new CameraApi(node);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  @Test
  void registrationBeyondTheQuotaIs409AndRemovingOneMakesRoom() {
    for (String id : new String[] {"quota-1", "quota-2"}) {
      assertEquals(201, register(id).statusCode());
    }
    awaitListed(2);
    HttpResponse<String> full = register("quota-3");
    assertEquals(409, full.statusCode(), full.body());
    assertTrue(full.body().contains("camera quota reached: 2 cameras for 1 node(s) of at most 2"), full.body());
    assertEquals(204, api.request("DELETE", "/api/cameras/quota-1", "").statusCode());
    awaitListed(1);
    assertEquals(201, register("quota-3").statusCode());
  }

  private static HttpResponse<String> register(String id) {
    return api.request("POST", "/api/cameras", "{\"id\": \"" + id + "\", \"name\": \"" + id + "\", \"sourceKind\": \"snapshot\","
        + " \"sourceUrl\": \"http://127.0.0.1:9/s.jpg\", \"enabled\": false}");
  }

  private static void awaitListed(int count) {
    for (int i = 0; i < 150; i++) {
      String body = api.request("GET", "/api/cameras", "").body();
      if (body.split("\"id\"", -1).length - 1 == count) return;
      MediaTools.sleep(100);
    }
    throw new AssertionError("the read side never listed " + count + " cameras");
  }
}
