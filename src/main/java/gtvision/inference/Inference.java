package gtvision.inference;

import com.typesafe.config.Config;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Starts inference on this node: the workers its roles call for and a router.
 *
 * <pre>{@code
 * Inference.Handle inference = Inference.start(context, config, meterRegistry);
 * AskPattern.ask(inference.router(),
 *     replyTo -> new InferenceRouter.Detect(List.of(jpeg), DetectOptions.plates(true), Optional.of("cam-17"), replyTo),
 *     Duration.ofSeconds(30), system.scheduler());
 * inference.health().get(); // for GET /health
 * }</pre>
 */
public final class Inference {
  private Inference() {}

  /** The router to ask and this node's current health view. */
  public record Handle(ActorRef<InferenceRouter.Command> router, Supplier<HealthSnapshot> health) {}

  /** Spawns workers and the router as children of {@code context}. */
  public static Handle start(ActorContext<?> context, Config config, MeterRegistry registry) {
    return start(new Spawner() {
      @Override
      public <T> ActorRef<T> spawn(Behavior<T> b, String name, Props props) {
        return context.spawn(b, name, props);
      }
    }, context.getSystem(), config, registry);
  }

  /** Spawns workers and the router as system actors (for applications without a guardian to host them). */
  public static Handle start(ActorSystem<?> system, Config config, MeterRegistry registry) {
    return start(new Spawner() {
      @Override
      public <T> ActorRef<T> spawn(Behavior<T> b, String name, Props props) {
        return system.systemActorOf(b, name, props);
      }
    }, system, config, registry);
  }

  private interface Spawner {
    <T> ActorRef<T> spawn(Behavior<T> behavior, String name, Props props);
  }

  private static Handle start(Spawner spawner, ActorSystem<?> system, Config config, MeterRegistry registry) {
    InferenceSettings s = InferenceSettings.from(config);
    InferenceRouter.Mode mode = s.router().mode();
    Executor executor = system.dispatchers().lookup(DispatcherSelector.fromConfig(InferenceSettings.DISPATCHER));
    Props workerProps = DispatcherSelector.defaultDispatcher();

    // This node's AWS detector (the one whose cost guard spends here), for /health.
    AtomicReference<RekognitionDetector> aws = new AtomicReference<>();
    if (mode != InferenceRouter.Mode.AWS && placed(system, s.gpuPlacement(), "gpu")) {
      s.platesOff().ifPresent(why -> system.log().warn(why));
      for (int i = 0; i < s.gpuWorkersPerNode(); i++) {
        InferenceWorker.DetectorFactory factory =
            new InferenceWorker.DetectorFactory() {
              @Override
              public Detector create() {
                return create(detail -> {});
              }

              @Override
              public Detector create(Consumer<String> progress) {
                // Runs on the blocking dispatcher: downloads (once, then from the cache) and loads.
                s.gpuModel().ifPresent(m -> s.modelCache().fetch(m, progress));
                s.plateModels().forEach(m -> s.modelCache().fetch(m, progress));
                Optional<PlateReader> plates = s.plates().map(PlateReader::load);
                try {
                  return YoloxOnnxDetector.load(s.gpu(), plates, executor, registry);
                } catch (RuntimeException e) {
                  plates.ifPresent(PlateReader::close);
                  throw e;
                }
              }
            };
        spawner.spawn(
            InferenceWorker.create(YoloxOnnxDetector.PROVIDER, factory, s.loadRetryMin(), s.loadRetryMax()),
            "inference-gpu-" + i, workerProps);
      }
    }
    if (mode != InferenceRouter.Mode.GPU && placed(system, s.awsPlacement(), "aws")) {
      InferenceWorker.DetectorFactory factory =
          () -> {
            RekognitionDetector detector = RekognitionDetector.create(s.aws(), Optional.empty(), registry, Clock.systemUTC());
            aws.set(detector);
            return detector;
          };
      spawner.spawn(
          InferenceWorker.create(RekognitionDetector.PROVIDER, factory, s.loadRetryMin(), s.loadRetryMax()),
          "inference-aws", workerProps);
    }
    AtomicReference<HealthSnapshot> health =
        new AtomicReference<>(HealthSnapshot.starting(mode.name().toLowerCase(Locale.ROOT)));
    ActorRef<InferenceRouter.Command> router =
        spawner.spawn(InferenceRouter.create(s.router(), registry, health), "inference-router", Props.empty());
    return new Handle(router, () -> {
      RekognitionDetector detector = aws.get();
      return detector == null ? health.get() : health.get().withAws(detector.usage());
    });
  }

  /**
   * Whether workers of a provider run on this node. "auto": the node has the provider's cluster
   * role, or it is a one-node development setup (local provider, or seed nodes naming only itself).
   */
  static boolean placed(ActorSystem<?> system, String placement, String role) {
    switch (placement) {
      case "none":
        return false;
      case "any":
        return true;
      default:
        break;
    }
    Config c = system.settings().config();
    if (!"cluster".equals(c.getString("pekko.actor.provider"))) return !placement.equals("role");
    Cluster cluster = Cluster.get(system);
    Set<String> roles = cluster.selfMember().getRoles();
    if (roles.contains(role)) return true;
    if (placement.equals("role")) return false;
    List<String> seeds = c.getStringList("pekko.cluster.seed-nodes");
    String self = cluster.selfMember().address().toString();
    // A node that joins itself (no seeds, no bootstrap: see ClusterFormation) is a one-node cluster.
    boolean selfJoined = seeds.isEmpty() && !c.getBoolean("gtv.cluster.bootstrap");
    return selfJoined || (seeds.size() == 1 && seeds.get(0).equals(self));
  }
}
