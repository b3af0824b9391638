package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Adobe S3Mock as its own process: an S3 server that, unlike S3Proxy, implements the bucket lifecycle
 * configuration. Maven copies its executable jar to target/s3mock (see pom.xml); it never goes on the test
 * classpath (a Spring Boot app). Missing jar: the test is skipped locally and fails with {@code CI=true}.
 * S3Mock accepts any credentials.
 */
public final class S3MockServer implements AutoCloseable {
  public static final String REGION = "us-east-1";
  private final Process process;
  private final Thread killOnExit;
  private final int port;
  private final Path root;
  private final Path log;

  public S3MockServer() throws IOException {
    Path jar = Path.of(System.getProperty("gtv.s3mock.jar", "target/s3mock/s3mock-exec.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      String what = "S3Mock's executable jar " + jar + " (Maven copies it before the tests: mvn process-test-resources)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException("CI=true but " + what + " is missing");
      Assumptions.abort(what + " is missing");
    }
    port = TestNodes.freePort();
    root = Files.createTempDirectory("gtv-s3mock");
    log = jar.resolveSibling("s3mock-" + port + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
            "--com.adobe.testing.s3mock.http-port=" + port,
            "--server.port=0", // S3Mock's HTTPS connector, unused: any free port
            "--com.adobe.testing.s3mock.region=" + REGION,
            "--com.adobe.testing.s3mock.domain.root=" + root,
            "--spring.main.banner-mode=off"))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    killOnExit = new Thread(this::stop, "s3mock-stop");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    try {
      awaitReady(Duration.ofSeconds(90));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Node settings that put evidence in {@code bucket} on this server. */
  public Config evidenceConfig(String bucket) {
    return ConfigFactory.parseString(String.join("\n",
            "gtv.evidence.s3.region = \"" + REGION + "\"",
            "gtv.evidence.s3.path-style = true"))
        .withFallback(TestS3.evidenceConfig(endpoint(), bucket, "s3mock", "s3mock"));
  }

  private void awaitReady(Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest listBuckets = HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(5)).build();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Mock exited with " + process.exitValue() + "; its log:\n" + logTail());
      }
      try {
        if (client.send(listBuckets, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("S3Mock did not answer on " + endpoint() + " within " + timeout + "; its log:\n" + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the server and its children (SIGTERM, then SIGKILL after 20 s) and removes its data. */
  private void stop() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    if (Files.exists(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temp directory left behind
      }
    }
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
