package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import gtvision.Main;
import gtvision.NodeConfig;
import gtvision.camera.stream.CountingAnalyser;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole GT-Vision node in its own JVM, so that a test can kill it with SIGKILL as a crash would: by
 * default frames go to a {@link CountingAnalyser} (no model); {@link #startWithInference} runs the
 * shipped analyser (the inference router and whatever workers the settings place). Its settings travel
 * in a file named on its command line.
 */
public final class NodeProcess implements AutoCloseable {
  private final Process process;
  private final TestNodes.Node ports;
  private final Path log;

  private NodeProcess(Process process, TestNodes.Node ports, Path log) {
    this.process = process;
    this.ports = ports;
    this.log = log;
  }

  private static final String INFERENCE = "inference";

  /**
   * Entry point of the child JVM: {@code args[0]} is the HOCON file with the node's settings; a second
   * argument {@code inference} runs the shipped analyser instead of the counting one.
   */
  public static void main(String[] args) {
    Config settings = NodeConfig.load(ConfigFactory.parseFile(new File(args[0])));
    if (args.length > 1 && args[1].equals(INFERENCE)) Main.start(settings);
    else Main.start(settings, (system, inference) -> new CountingAnalyser());
  }

  /**
   * Starts a node on {@code database} plus {@code extra}, joining {@code seed} (a cluster address; null:
   * the node is the first and joins itself), and waits until its /health answers 200.
   */
  public static NodeProcess start(Config database, Config extra, String seed) throws IOException {
    return launch(database, extra, seed, "384m", List.of());
  }

  /** As {@link #start}, with the shipped analyser (real inference) and {@code maxHeap} ({@code -Xmx}). */
  public static NodeProcess startWithInference(Config database, Config extra, String seed, String maxHeap)
      throws IOException {
    return launch(database, extra, seed, maxHeap, List.of(INFERENCE));
  }

  private static NodeProcess launch(Config database, Config extra, String seed, String maxHeap, List<String> mode)
      throws IOException {
    int http = TestNodes.freePort();
    int management = TestNodes.freePort();
    int cluster = TestNodes.freePort();
    String seedAddress = seed != null ? seed : address(cluster);
    Config settings = extra
        .withFallback(ConfigFactory.parseString("gtv.cluster.seed-nodes = \"" + seedAddress + "\""))
        .withFallback(database)
        .withFallback(TestNodes.testDefaults(http, management, cluster));
    Path file = Files.createTempFile("gtv-node-" + cluster, ".conf");
    Files.writeString(file, settings.root().render(ConfigRenderOptions.concise()), StandardCharsets.UTF_8);
    Path log = Files.createTempFile("gtv-node-" + cluster, ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"),
        NodeProcess.class.getName(), file.toString()));
    command.addAll(mode);
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    NodeProcess node = new NodeProcess(process, new TestNodes.Node(null, http, management, cluster), log);
    try {
      TestNodes.awaitHealthy(node.ports, Duration.ofSeconds(90));
    } catch (IllegalStateException e) {
      node.close();
      throw new IllegalStateException(e.getMessage() + "; log " + log, e);
    }
    return node;
  }

  public static String address(int clusterPort) {
    return "pekko://gtvision@127.0.0.1:" + clusterPort;
  }

  public String address() {
    return address(ports.clusterPort());
  }

  public String baseUrl() {
    return ports.baseUrl();
  }

  public int clusterPort() {
    return ports.clusterPort();
  }

  public Path log() {
    return log;
  }

  /** SIGKILL (on Linux, destroyForcibly is kill -9): no shutdown hook, no leaving, as in a crash. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() {
    if (process.isAlive()) process.destroyForcibly();
  }
}
