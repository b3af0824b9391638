package gtvision.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Plain HTTP calls with or without a bearer credential, for the authentication tests. */
final class AuthClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;

  AuthClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  HttpResponse<String> call(String method, String path, String body, Optional<String> bearer, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    bearer.ifPresent(t -> b.header("Authorization", "Bearer " + t));
    headers.forEach(b::header);
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> call(String method, String path, String body, String bearer) {
    return call(method, path, body, Optional.ofNullable(bearer), Map.of());
  }

  String login(String username, String password) {
    HttpResponse<String> r = call("POST", "/api/auth/login",
        "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}", null);
    if (r.statusCode() != 200) throw new IllegalStateException("login " + username + ": " + r.statusCode() + " " + r.body());
    return json(r).get("token").asText();
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + response.body(), e);
    }
  }
}
