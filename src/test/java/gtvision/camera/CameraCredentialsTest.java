package gtvision.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.persistence.Database;
import gtvision.secrets.SecretBox;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Camera credentials are encrypted in the journal and still open for the stream after restarts and rotations. */
class CameraCredentialsTest {
  @TempDir Path dataDir;

  @Test
  void credentialsAreEncryptedInTheJournalAndStreamAfterRestartsPutsAndRotation() throws Exception {
    Config db = TestDatabases.h2(dataDir);
    try (TestCameraServer camera = new TestCameraServer(TestImages.panning("dog.jpg", 320, 240, 3), 5, MediaTools.mediaDir())) {
      String url = camera.url(TestCameraServer.USER, TestCameraServer.PASSWORD, "/basic/snapshot.jpg");
      String masked = url.replace("s3cr3t%3Apw", "***");

      TestNodes.Node first = TestNodes.start(db, IngestTestConfig.fast());
      try {
        CameraApi api = new CameraApi(first);
        assertEquals(masked, api.register("cam-auth", "snapshot", url, 5.0).path("sourceUrl").asText());
        awaitFrames(api);
        String journal = journalText(first);
        assertTrue(journal.contains(SecretBox.PREFIX), "the URL is sealed in the journal");
        assertFalse(journal.contains("s3cr3t"), "no plaintext password in the journal");

        // The masked URL sent back keeps the stored password: the camera still authenticates.
        HttpResponse<String> put = put(first, "cam-auth",
            "{\"name\": \"Renamed\", \"sourceUrl\": \"" + masked + "\", \"sourceKind\": \"snapshot\", \"fps\": 5.0}");
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("Renamed", api.get("cam-auth").path("name").asText());
        awaitFrames(api);
        // A masked credential for another host is refused, never stored as "***".
        HttpResponse<String> moved = put(first, "cam-auth",
            "{\"name\": \"R\", \"sourceUrl\": \"" + masked.replace("127.0.0.1", "localhost")
                + "\", \"sourceKind\": \"snapshot\", \"fps\": 5.0}");
        assertEquals(400, moved.statusCode(), moved.body());
        assertTrue(moved.body().contains("sourceUrl"), moved.body());
      } finally {
        first.stop();
      }
      String oldKey = Files.readString(dataDir.resolve("secrets.key")).strip();

      // Same key (the generated file): the camera streams again with the real password.
      long before = camera.requests();
      TestNodes.Node second = TestNodes.start(db, IngestTestConfig.fast());
      try {
        CameraApi api = new CameraApi(second);
        awaitFrames(api);
        assertTrue(camera.requests() > before);
      } finally {
        second.stop();
      }

      // A wrong key: that camera says why it does not stream; the node itself is fine.
      String newKey = Base64.getEncoder().encodeToString(SecretBox.randomKey());
      TestNodes.Node wrong = TestNodes.start(db, withKeys(newKey, ""));
      try {
        CameraApi api = new CameraApi(wrong);
        api.await("cam-auth", Duration.ofSeconds(30),
            c -> c.path("health").path("lastError").asText().contains("cannot be decrypted"), "a decryption error");
        assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(wrong.baseUrl() + "/health"))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      } finally {
        wrong.stop();
      }

      // Rotation: the new key with the old one as a previous key opens what the old one sealed.
      TestNodes.Node rotated = TestNodes.start(db, withKeys(newKey, oldKey));
      try {
        awaitFrames(new CameraApi(rotated));
      } finally {
        rotated.stop();
      }
    }
  }

  private static Config withKeys(String key, String previous) {
    return ConfigFactory.parseString("gtv.secrets.key = \"" + key + "\"\ngtv.secrets.previous-keys = \"" + previous + "\"")
        .withFallback(IngestTestConfig.fast());
  }

  private static void awaitFrames(CameraApi api) {
    long seen = api.get("cam-auth").path("counters").path("framesSeen").asLong();
    api.await("cam-auth", Duration.ofSeconds(30),
        c -> "connected".equals(c.path("health").path("state").asText())
            && c.path("counters").path("framesSeen").asLong() > seen,
        "frames through Basic auth");
  }

  private static HttpResponse<String> put(TestNodes.Node node, String id, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/cameras/" + id))
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Every event payload of the journal, as text (CBOR keeps strings as UTF-8). */
  private static String journalText(TestNodes.Node node) {
    return Database.get(node.system()).run(connection -> {
      StringBuilder out = new StringBuilder();
      try (PreparedStatement ps = connection.prepareStatement("SELECT \"event_payload\" FROM \"event_journal\"");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) out.append(new String(rs.getBytes(1), StandardCharsets.UTF_8)).append('\n');
      }
      return out.toString();
    }).toCompletableFuture().join();
  }
}
