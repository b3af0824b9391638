package gtvision.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The camera HTTP API of a test node, as a client uses it. */
public final class CameraApi {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();
  private final String baseUrl;

  public CameraApi(TestNodes.Node node) {
    this.baseUrl = node.baseUrl();
  }

  public JsonNode register(String id, String sourceKind, String sourceUrl, double fps, String extraJson) {
    String body = """
        {"id": "%s", "name": "Camera %s", "sourceUrl": "%s", "sourceKind": "%s", "fps": %s, "enabled": true%s}"""
        .formatted(id, id, sourceUrl, sourceKind, fps, extraJson == null ? "" : ", " + extraJson);
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/cameras"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    if (response.statusCode() != 201) throw new AssertionError("register " + id + ": " + response.statusCode() + " " + response.body());
    return json(response.body());
  }

  /** Any JSON request, answered as it came (status and body), for tests of refusals. */
  public HttpResponse<String> request(String method, String path, String json) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(json)).build());
  }

  public JsonNode register(String id, String sourceKind, String sourceUrl, double fps) {
    return register(id, sourceKind, sourceUrl, fps, null);
  }

  public JsonNode get(String id) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/cameras/" + id)).build());
    if (response.statusCode() != 200) throw new AssertionError("get " + id + ": " + response.statusCode() + " " + response.body());
    return json(response.body());
  }

  public JsonNode post(String path) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl + path)).POST(HttpRequest.BodyPublishers.noBody()).build());
    if (response.statusCode() != 200) throw new AssertionError(path + ": " + response.statusCode() + " " + response.body());
    return json(response.body());
  }

  /** Removes the camera; fails unless the API answered 204. */
  public void remove(String id) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/cameras/" + id)).DELETE().build());
    if (response.statusCode() != 204) throw new AssertionError("remove " + id + ": " + response.statusCode() + " " + response.body());
  }

  public String metrics() {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).build()).body();
  }

  /** The value of one Prometheus sample, e.g. {@code gtv_frames_analysed_total{camera="c1"}}; 0 when absent. */
  public double metric(String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{" + Pattern.quote(labels) + "[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics());
    return m.find() ? Double.parseDouble(m.group(1)) : 0.0;
  }

  /** Polls /metrics until the sample reaches {@code atLeast}. */
  public double awaitMetric(String name, String labels, double atLeast, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    double value = 0;
    while (System.nanoTime() < deadline) {
      value = metric(name, labels);
      if (value >= atLeast) return value;
      MediaTools.sleep(200);
    }
    throw new AssertionError(name + "{" + labels + "} = " + value + ", expected at least " + atLeast + " within " + timeout);
  }

  /** Polls the camera until {@code condition} holds; fails with the last state seen. */
  public JsonNode await(String id, Duration timeout, Predicate<JsonNode> condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = get(id);
      if (condition.test(last)) return last;
      MediaTools.sleep(200);
    }
    throw new AssertionError(id + ": " + what + " within " + timeout + "; last state " + last);
  }

  public JsonNode awaitState(String id, String state, Duration timeout) {
    return await(id, timeout, c -> state.equals(c.path("health").path("state").asText()), "health.state " + state);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
