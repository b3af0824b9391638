package gtvision.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Polls cameras through {@code GET /api/cameras/{id}}, one thread per camera (a camera whose entity is
 * moving answers only after seconds), until each reports {@code health.lastFrameAt} after an instant.
 */
public final class FrameWatch {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // health.lastFrameAt is the newest frame: a poll stuck behind a moving entity would see a later frame
  // than the first, so a poll gives up quickly and asks again.
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(2);

  private FrameWatch() {}

  /** The camera's last frame time, if the API answered and the camera has had a frame. */
  public static Optional<Instant> lastFrameAt(HttpClient client, String baseUrl, String camera) {
    try {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/cameras/" + camera))
          .timeout(POLL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) return Optional.empty();
      JsonNode at = MAPPER.readTree(response.body()).path("health").path("lastFrameAt");
      return at.isTextual() ? Optional.of(Instant.parse(at.asText())) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * For each camera that delivered a frame after {@code after} within {@code timeout}: the first such
   * frame time seen. Cameras missing from the answer never did.
   */
  public static Map<String, Instant> firstFramesAfter(String baseUrl, Collection<String> cameras, Instant after,
      Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Map<String, Instant> first = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    ExecutorService pollers = Executors.newFixedThreadPool(cameras.size());
    for (String camera : cameras) {
      pollers.execute(() -> {
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
          Optional<Instant> at = lastFrameAt(client, baseUrl, camera);
          if (at.isPresent() && at.get().isAfter(after)) {
            first.put(camera, at.get());
            return;
          }
          MediaTools.sleep(200);
        }
      });
    }
    pollers.shutdown();
    if (!pollers.awaitTermination(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS)) pollers.shutdownNow();
    return first;
  }
}
