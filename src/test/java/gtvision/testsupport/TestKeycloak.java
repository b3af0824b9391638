package gtvision.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Keycloak (the Quarkus distribution from Maven Central, see pom.xml) in dev mode on a free port,
 * with a realm imported from the test resources and an in-memory database, so every instance starts
 * clean. The zip is unpacked once into target/keycloak. Missing zip: the test is skipped locally and fails
 * with {@code CI=true}. Close it after the class: that stops Keycloak and its children.
 */
public final class TestKeycloak implements AutoCloseable {
  public static final String VERSION = "26.4.7";
  public static final String ADMIN = "admin";
  public static final String ADMIN_PASSWORD = "admin-password";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Thread killOnExit;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Starts Keycloak with the realm file {@code realmResource} (a class path resource) and waits up to
   * 180 s for {@code realm}'s discovery document (two busy cores: the first start also builds Quarkus).
   */
  public TestKeycloak(String realmResource, String realm) throws IOException {
    Path home = unpacked();
    Path imports = Files.createDirectories(home.resolve("data/import"));
    try (InputStream in = TestKeycloak.class.getClassLoader().getResourceAsStream(realmResource)) {
      if (in == null) throw new IllegalArgumentException("no test resource " + realmResource);
      Files.copy(in, imports.resolve(Path.of(realmResource).getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    port = TestNodes.freePort();
    log = home.resolveSibling("keycloak-" + port + ".log");
    ProcessBuilder pb = new ProcessBuilder(List.of("bash", home.resolve("bin/kc.sh").toString(), "start-dev",
            "--http-host=127.0.0.1", "--http-port=" + port, "--db=dev-mem", "--import-realm"))
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
    // In a container kc.sh would take 70 % of the machine's memory; a test realm needs far less.
    pb.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
    process = pb.start();
    killOnExit = new Thread(this::stop, "keycloak-stop");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    try {
      awaitReady(realm, Duration.ofSeconds(180));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** The iss of the realm's tokens. */
  public String issuer(String realm) {
    return baseUrl() + "/realms/" + realm;
  }

  /** An access token from the password grant (the client needs direct access grants). */
  public String passwordToken(String realm, String clientId, String username, String password) {
    return token(realm, Map.of("grant_type", "password", "client_id", clientId, "username", username, "password", password));
  }

  /** An access token from the client-credentials grant (the client needs a service account). */
  public String clientCredentialsToken(String realm, String clientId, String secret) {
    return token(realm, Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret));
  }

  /**
   * Rotates the realm's signing key: a new RSA key provider with a priority above every other, so new
   * tokens are signed with it (the old key still verifies the tokens it signed). Returns the new key id.
   */
  public String rotateRsaKey(String realm) {
    String realmId = admin("GET", "/admin/realms/" + realm, null).get("id").asText();
    String name = "rotated-" + System.nanoTime();
    String body = "{\"name\":\"" + name + "\",\"providerId\":\"rsa-generated\",\"providerType\":\"org.keycloak.keys.KeyProvider\","
        + "\"parentId\":\"" + realmId + "\",\"config\":{\"priority\":[\"" + (System.currentTimeMillis() / 1000) + "\"],"
        + "\"enabled\":[\"true\"],\"active\":[\"true\"],\"keySize\":[\"2048\"],\"algorithm\":[\"RS256\"]}}";
    admin("POST", "/admin/realms/" + realm + "/components", body);
    // The new provider has the highest priority, so its key is the one that signs.
    JsonNode signing = null;
    for (JsonNode key : admin("GET", "/admin/realms/" + realm + "/keys", null).get("keys")) {
      if (!"RS256".equals(key.path("algorithm").asText()) || !"ACTIVE".equals(key.path("status").asText())) continue;
      if (signing == null || key.path("providerPriority").asLong() > signing.path("providerPriority").asLong()) signing = key;
    }
    if (signing == null) throw new IllegalStateException("realm " + realm + " has no active RS256 key after the rotation");
    return signing.get("kid").asText();
  }

  private String token(String realm, Map<String, String> form) {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpRequest request = HttpRequest.newBuilder(URI.create(issuer(realm) + "/protocol/openid-connect/token"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    JsonNode answer = send(request, 200);
    return answer.get("access_token").asText();
  }

  private JsonNode admin(String method, String path, String json) {
    String adminToken = passwordToken("master", "admin-cli", ADMIN, ADMIN_PASSWORD);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    return send(request.build(), -1);
  }

  private JsonNode send(HttpRequest request, int expected) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      if (expected > 0 ? status != expected : status >= 300) {
        throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + status + ": " + response.body());
      }
      return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** target/keycloak/keycloak-VERSION, unpacked from the local Maven repository the first time. */
  private static Path unpacked() throws IOException {
    Path target = Path.of("target", "keycloak").toAbsolutePath();
    Path home = target.resolve("keycloak-" + VERSION);
    if (Files.isRegularFile(home.resolve("bin/kc.sh")) && Files.exists(target.resolve(".unpacked"))) return home;
    Path zip = Path.of(System.getProperty("gtv.keycloak.zip", System.getProperty("user.home")
        + "/.m2/repository/org/keycloak/keycloak-quarkus-dist/" + VERSION + "/keycloak-quarkus-dist-" + VERSION + ".zip"));
    if (!Files.isRegularFile(zip)) {
      String what = "the Keycloak distribution " + zip + " (org.keycloak:keycloak-quarkus-dist:" + VERSION
          + ":zip, a test dependency: run mvn test-compile once online)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException("CI=true but " + what + " is missing");
      Assumptions.abort(what + " is missing");
    }
    // Unpacked beside and renamed, so that an interrupted unzip never looks complete.
    Files.createDirectories(target);
    Path partial = Files.createTempDirectory(target, "unzip");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        Path out = partial.resolve(e.getName()).normalize();
        if (!out.startsWith(partial)) throw new IOException("zip entry outside the target: " + e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    delete(home);
    Files.move(partial.resolve("keycloak-" + VERSION), home);
    delete(partial);
    Files.writeString(target.resolve(".unpacked"), zip.toString());
    return home;
  }

  private void awaitReady(String realm, Duration timeout) {
    HttpRequest discovery = HttpRequest.newBuilder(URI.create(issuer(realm) + "/.well-known/openid-configuration"))
        .timeout(Duration.ofSeconds(5)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; its log:\n" + logTail());
      }
      try {
        if (http.send(discovery, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("Keycloak did not serve realm " + realm + " on " + baseUrl() + " within " + timeout
        + "; its log:\n" + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Stops Keycloak (kc.sh's java child included): SIGTERM, then SIGKILL after 20 s. */
  private void stop() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      for (ProcessHandle child : children) {
        child.onExit().get(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // a child that did not stop in time is killed below
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs stop() again, which is harmless
    }
  }
}
