package gtvision.camera.stream;

import com.typesafe.config.Config;
import gtvision.camera.CameraConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.FrameSequence;
import gtvision.camera.StreamRunner;
import gtvision.camera.source.SourceProxy;
import gtvision.tracing.Tracing;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;

/**
 * What a node's cameras need to run their streams: settings, meters, the analyser, and where each keeps its
 * newest frame for the dashboard, and the node's tracing (each analysed frame starts a trace).
 */
public record Streams(
    StreamSettings settings, StreamMetrics metrics, FrameAnalyser analyser, LatestFrames latest, Tracing tracing)
    implements StreamRunner {

  /** Streams whose frames are not traced. */
  public Streams(StreamSettings settings, StreamMetrics metrics, FrameAnalyser analyser, LatestFrames latest) {
    this(settings, metrics, analyser, latest, Tracing.OFF);
  }

  /**
   * Also starts the node's camera source proxy (FFmpeg's HTTP(S) inputs go through it), stopped when the
   * actor system terminates, after the cameras' streams.
   */
  public static Streams create(ActorSystem<?> system, StreamMetrics metrics, FrameAnalyser analyser) {
    Config config = system.settings().config();
    StreamSettings settings = StreamSettings.from(config);
    SourceProxy proxy = SourceProxy.start(settings.sources(), SourceProxy.Settings.from(config), metrics.registry());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-camera-source-proxy",
        () -> {
          proxy.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return new Streams(settings.withProxy(proxy), metrics, analyser, LatestFrames.from(config), Tracing.get(system));
  }

  @Override
  public Behavior<?> stream(String cameraId, CameraConfig config, FrameSequence frames, ActorRef<CameraEntity.Command> camera) {
    return CameraStreamSupervisor.create(cameraId, config, this, frames, camera);
  }

  @Override
  public Duration statsPersistInterval() {
    return settings.statsPersistInterval();
  }

  @Override
  public Duration respawnDelay() {
    return settings.backoffMin();
  }
}
