package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.Main;
import gtvision.NodeConfig;
import gtvision.camera.stream.CountingAnalyser;
import gtvision.camera.stream.FrameAnalyser;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;

/** Starts whole GT-Vision nodes (Main's wiring) on free ports for tests. */
public final class TestNodes {
  private TestNodes() {}

  /** A started node and the ports it serves on. */
  public record Node(ActorSystem<Void> system, int httpPort, int managementPort, int clusterPort) {
    public String baseUrl() {
      return "http://127.0.0.1:" + httpPort;
    }

    public void stop() {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Test settings every node needs: never exit the JVM, fast read side. */
  public static Config testDefaults(int httpPort, int managementPort, int clusterPort) {
    return ConfigFactory.parseString(String.join("\n",
        "gtv.http.port = " + httpPort,
        "gtv.http.interface = \"127.0.0.1\"",
        "pekko.management.http.port = " + managementPort,
        "pekko.management.http.bind-hostname = \"127.0.0.1\"",
        "pekko.remote.artery.canonical.port = " + clusterPort,
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
        "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
        "jdbc-read-journal.refresh-interval = 100ms",
        "gtv.camera.status-gauge-interval = 500ms",
        // Tests that are not about authentication or request limits say so explicitly.
        "gtv.auth.mode = off",
        "gtv.http.rate-limits.enabled = off",
        "gtv.camera.max-per-node = 100000",
        // CI machines have 2 cores shared by several nodes: cold entities can take seconds.
        "gtv.camera.ask-timeout = 20s",
        // Nodes start without inference workers unless a test asks for them (model loading is slow).
        "gtv.inference.gpu.placement = none",
        "gtv.inference.aws.placement = none"));
  }

  /** Starts a node on {@code database} plus {@code extra} settings and waits until /health is 200. */
  public static Node start(Config database, Config extra) {
    return start(database, extra, system -> new CountingAnalyser());
  }

  /** The same with the node's own analyser, as in production: frames go to the inference router. */
  public static Node startWithInference(Config database, Config extra) {
    return launch(database, extra, Main::start);
  }

  /** The same with the node's frame analyser. */
  public static Node start(Config database, Config extra, Function<ActorSystem<?>, FrameAnalyser> analyser) {
    return launch(database, extra, config -> Main.start(config, (s, inference) -> analyser.apply(s)));
  }

  private static Node launch(Config database, Config extra, Function<Config, ActorSystem<Void>> main) {
    int http = freePort();
    int management = freePort();
    int cluster = freePort();
    Config config = NodeConfig.load(extra.withFallback(database).withFallback(testDefaults(http, management, cluster)));
    ActorSystem<Void> system = main.apply(config);
    Node node = new Node(system, http, management, cluster);
    awaitHealthy(node, Duration.ofSeconds(60));
    return node;
  }

  public static Node start(Config database) {
    return start(database, ConfigFactory.empty());
  }

  public static void awaitHealthy(Node node, Duration timeout) {
    HttpClient client = HttpClient.newHttpClient();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      try {
        HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health")).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) return;
      } catch (IOException e) {
        // not bound yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(200);
    }
    throw new IllegalStateException("Node on " + node.baseUrl() + " did not become healthy within " + timeout);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
