package gtvision;

import com.typesafe.config.Config;
import gtvision.alerts.Alerts;
import gtvision.apidocs.ApiDocsRoutes;
import gtvision.auth.Auth;
import gtvision.auth.AuthGate;
import gtvision.auth.AuthRoutes;
import gtvision.auth.Authentication;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraMetrics;
import gtvision.camera.CameraRoutes;
import gtvision.camera.Cameras;
import gtvision.camera.readside.CameraProjection;
import gtvision.camera.readside.CameraStatusGauge;
import gtvision.camera.readside.CameraTable;
import gtvision.camera.stream.FrameAnalyser;
import gtvision.camera.stream.LatestFrameRoutes;
import gtvision.camera.stream.LatestFrameService;
import gtvision.camera.stream.StreamMetrics;
import gtvision.camera.stream.Streams;
import gtvision.cluster.ClusterFormation;
import gtvision.cluster.ClusterMetrics;
import gtvision.dashboard.DashboardRoutes;
import gtvision.dashboard.DashboardSettings;
import gtvision.detections.Detections;
import gtvision.objects.Objects;
import gtvision.evidence.Evidence;
import gtvision.evidence.S3Setup;
import gtvision.http.ApiRoutes;
import gtvision.http.HttpServer;
import gtvision.http.Json;
import gtvision.inference.DetectRoutes;
import gtvision.inference.Inference;
import gtvision.inference.InferenceAnalyser;
import gtvision.ingest.IngestRoutes;
import gtvision.metrics.Metrics;
import gtvision.mqtt.Mqtt;
import gtvision.persistence.Database;
import gtvision.persistence.DatabaseSettings;
import gtvision.persistence.SchemaCreator;
import gtvision.persistence.TableStatistics;
import gtvision.system.SystemRoutes;
import gtvision.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/** Wires a GT-Vision node together. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // HTTP cameras are connected at the address the source policy checked, with the camera's name in the
    // Host header: the JDK only sends a caller's Host header with this set, and reads it once, so before
    // anything opens an HTTP connection.
    System.setProperty("sun.net.http.allowRestrictedHeaders", "true");
    // `java -jar gtvision.jar setup-s3`: create the evidence bucket and apply its lifecycle rules, then exit.
    if (args.length > 0 && args[0].equals("setup-s3")) {
      S3Setup.main(args);
      return;
    }
    start(NodeConfig.load());
  }

  /** Makes the node's frame analyser once its inference router exists. */
  @FunctionalInterface
  public interface AnalyserFactory {
    FrameAnalyser create(ActorSystem<?> system, Inference.Handle inference);
  }

  /** Starts a node with the given (fully loaded) configuration; camera frames go to inference. */
  public static ActorSystem<Void> start(Config config) {
    return start(config, (system, inference) -> new InferenceAnalyser(
        system, inference.router(), system.settings().config().getDuration("gtv.camera.analyse-timeout")));
  }

  /** Starts a node whose cameras send the frames that pass their motion gate to {@code analyser}'s. */
  public static ActorSystem<Void> start(Config config, AnalyserFactory analyser) {
    DatabaseSettings database = DatabaseSettings.from(config);
    if (database.createSchema()) SchemaCreator.createIfNotExists(database);
    return ActorSystem.create(guardian(analyser), "gtvision", config);
  }

  private static Behavior<Void> guardian(AnalyserFactory analyser) {
    return Behaviors.setup(context -> {
      ActorSystem<Void> system = context.getSystem();
      MeterRegistry registry = Metrics.get(system).registry();
      CameraMetrics cameraMetrics = new CameraMetrics(registry);

      // Built now, not on a first span: it logs where spans go and registers its flush with coordinated shutdown.
      Tracing.get(system);
      ClusterFormation.start(system);
      ClusterMetrics.bind(system, registry);
      Inference.Handle inference = Inference.start(context, system.settings().config(), registry);
      Evidence evidence = Evidence.start(system, registry);
      Detections detections = Detections.start(system, evidence.store());
      Mqtt mqtt = Mqtt.start(system);
      Objects objects = Objects.start(system, evidence.store());
      Alerts alerts = Alerts.start(system);
      FrameAnalyser frames = evidence.withEvidence(analyser.create(system, inference));
      Streams streams = Streams.create(system, new StreamMetrics(registry), frames);
      CameraEntity.init(system, CameraEntity.Dependencies.of(system, cameraMetrics, streams, detections.listener())
          .withWatch(alerts.watch()));
      JdbcProjection.createTablesIfNotExists(Database.get(system)::newSession, system)
          .whenComplete((done, error) -> {
            if (error != null) {
              system.log().error("Cannot create the projection offset tables, stopping", error);
              system.terminate();
            } else {
              CameraProjection.init(system);
              detections.startProjections();
              mqtt.startProjections();
              objects.startProjections();
              alerts.startProjections();
            }
          });
      CameraStatusGauge.start(system, registry);
      TableStatistics.start(system, system.settings().config().getDuration("gtv.db.analyze-interval"));

      Cameras cameras = new Cameras(system, cameraMetrics, CameraTable.listing(Database.get(system)), streams.settings().sources());
      Authentication authentication = Auth.start(system);
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
      Duration latestFramesTimeout = system.settings().config().getDuration("gtv.camera.stream.latest-frames-ask-timeout");
      ActorRef<LatestFrameService.Command> latestFrames =
          context.spawn(LatestFrameService.create(streams.latest(), blocking, latestFramesTimeout), LatestFrameService.NAME);
      Map<String, Supplier<?>> health = new LinkedHashMap<>();
      health.put("inference", inference.health());
      mqtt.health().ifPresent(section -> health.put("mqtt", section));
      HttpServer.start(system, ApiRoutes.create(system, new AuthGate(authentication)::protect,
          List.of(
              new AuthRoutes(authentication, Json.get(system)).route(),
              new LatestFrameRoutes(streams.latest(), blocking, latestFrames, system.scheduler(), latestFramesTimeout).route(),
              CameraRoutes.create(system, cameras).route(),
              detections.routes(),
              objects.routes(),
              alerts.routes(),
              new SystemRoutes(system).route(),
              new IngestRoutes(system, registry).route(),
              DetectRoutes.create(system, inference.router()).route(),
              new ApiDocsRoutes().route(),
              new DashboardRoutes(DashboardSettings.from(system.settings().config()), Json.get(system)).route()),
          health, authentication::health));
      return Behaviors.empty();
    });
  }
}
