package gtvision.detections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The detections HTTP API of a test node, as an external producer and a client use it. */
final class DetectionsClient {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();
  private final String baseUrl;

  DetectionsClient(TestNodes.Node node) {
    this.baseUrl = node.baseUrl();
  }

  /** One ingest item as JSON. */
  static String item(String camera, Instant ts, String cls, double confidence, String plate, long frameSequence) {
    return """
        {"cameraId": "%s", "timestamp": "%s", "class": "%s", "confidence": %s, "bbox": [10, 20, 110, 220],
         "plate": %s, "frameWidth": 1920, "frameHeight": 1080, "frameSequence": %d}"""
        .formatted(camera, ts, cls, confidence, plate == null ? "null" : "\"" + plate + "\"", frameSequence);
  }

  static String body(List<String> items) {
    return "{\"detections\": [" + String.join(",", items) + "]}";
  }

  HttpResponse<String> ingest(String body, String client) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/ingest/detections"))
        .header("Content-Type", "application/json")
        .header("X-Forwarded-For", client + ", 10.0.0.1")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).build());
  }

  HttpResponse<byte[]> bytes(String path) {
    try {
      return client.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  JsonNode json(String pathAndQuery) {
    HttpResponse<String> response = get(pathAndQuery);
    if (response.statusCode() != 200) throw new AssertionError(pathAndQuery + ": " + response.statusCode() + " " + response.body());
    return parse(response.body());
  }

  /** Every item of a search, following nextCursor. */
  List<JsonNode> all(String query, int pageSize) {
    List<JsonNode> items = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = json("/api/detections?" + query + "&limit=" + pageSize + (cursor == null ? "" : "&cursor=" + cursor));
      page.get("items").forEach(items::add);
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
    } while (cursor != null);
    return items;
  }

  /** Polls a search until its items satisfy {@code condition}. */
  List<JsonNode> await(String query, Predicate<List<JsonNode>> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> items = List.of();
    while (System.nanoTime() < deadline) {
      items = all(query, 1000);
      if (condition.test(items)) return items;
      sleep(200);
    }
    throw new AssertionError("search " + query + " did not reach the expected state in " + timeout + "; got " + items.size());
  }

  static JsonNode parse(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
