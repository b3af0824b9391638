package gtvision.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real Mosquitto for the MQTT tests: the machine's broker on 127.0.0.1:1883 ({@code .ci/run} starts Debian's
 * when it is not answering), or a broker process of a test's own on a free port, which the test may stop and
 * start again. Without a broker a test is skipped locally and fails when CI=true.
 */
public final class TestMosquitto implements AutoCloseable {
  public static final String SHARED_URL = "tcp://127.0.0.1:1883";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private final int port;
  private final Path config;
  private final Path log;
  private Process process;

  private TestMosquitto(int port, Path config, Path log) {
    this.port = port;
    this.config = config;
    this.log = log;
  }

  /** The machine's broker on 127.0.0.1:1883. */
  public static String requireShared() {
    require(answers(1883), "Mosquitto on 127.0.0.1:1883");
    return SHARED_URL;
  }

  /**
   * A broker of the test's own on a free port. Persistent: what it queued for a subscriber with a session
   * (clean session off) survives a stop and start, so a test can tell what the broker had from what it lost.
   */
  public static TestMosquitto start(Path dir) throws IOException {
    require(runs("mosquitto", "-h"), "the mosquitto binary (Debian package mosquitto)");
    int port = TestNodes.freePort();
    Path data = Files.createDirectories(dir.resolve("mosquitto-" + port));
    Path config = data.resolve("mosquitto.conf");
    Files.writeString(config, String.join("\n",
        "listener " + port + " 127.0.0.1",
        "allow_anonymous true",
        "persistence true",
        "persistence_location " + data + "/",
        "max_queued_messages 0",
        // Started as root, Mosquitto drops to user mosquitto, who may not write the test's directory.
        "user root",
        ""));
    TestMosquitto broker = new TestMosquitto(port, config, data.resolve("mosquitto.log"));
    broker.startProcess();
    return broker;
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** SIGTERM: Mosquitto saves its sessions and queued messages, then exits. */
  public void stop() throws InterruptedException {
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    process = null;
  }

  /** Starts again on the same port with what it saved. */
  public void restart() throws IOException {
    startProcess();
  }

  private void startProcess() throws IOException {
    process = new ProcessBuilder("mosquitto", "-c", config.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answers(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("mosquitto did not start on port " + port + "; log " + log);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(20, TimeUnit.SECONDS);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void require(boolean present, String what) {
    if (present) return;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException("CI=true but " + what + " is missing (see .ci/run)");
    Assumptions.abort(what + " is missing");
  }
}
