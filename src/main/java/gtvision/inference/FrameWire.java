package gtvision.inference;

import com.typesafe.config.Config;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * How the router reaches a worker: a worker on this node gets the request as it is; a worker on
 * another node gets it through a {@link WireProxy} that sends each frame re-encoded to the size the
 * request needs and maps the boxes back to source pixels. See README "Inference".
 */
public final class FrameWire {

  /**
   * {@code gtv.inference.wire}.
   *
   * @param detectSide long side of frames sent for object detection (the model's input size); also
   *     with plates for a worker that reads them on vehicle crops (YOLOX)
   * @param maxSide long side of frames sent when plates are read on the whole frame (Rekognition)
   * @param maxCrops vehicles per frame whose full-resolution crops are sent for plate reading
   * @param cropMaxPixels a larger crop is scaled down to this many pixels
   * @param passThroughBytes a frame that already fits the side and is at most this size is sent unchanged
   * @param maxFrameBytes the largest frame a remote message may carry (Artery's maximum-large-frame-size less headroom)
   */
  public record Settings(
      int detectSide, int maxSide, int jpegQuality, long passThroughBytes, long maxFrameBytes, long maxPixels,
      int maxCrops, long cropMaxPixels, Duration timeout) {

    public static Settings from(Config root) {
      Config w = root.getConfig("gtv.inference.wire");
      int detectSide = w.getInt("detect-side");
      int maxSide = w.getInt("max-side");
      int quality = w.getInt("jpeg-quality");
      if (detectSide < 32 || maxSide < detectSide) {
        throw new IllegalArgumentException("gtv.inference.wire needs 32 <= detect-side <= max-side, not "
            + detectSide + " and " + maxSide);
      }
      if (quality < 1 || quality > 100) {
        throw new IllegalArgumentException("gtv.inference.wire.jpeg-quality must be in 1..100, not " + quality);
      }
      int maxCrops = w.getInt("max-crops");
      long cropMaxPixels = w.getLong("crop-max-pixels");
      if (maxCrops < 0) throw new IllegalArgumentException("gtv.inference.wire.max-crops must be >= 0, not " + maxCrops);
      long minCrop = (long) PlateCrops.Region.MIN_SIDE * PlateCrops.Region.MIN_SIDE;
      if (cropMaxPixels < minCrop) {
        throw new IllegalArgumentException(
            "gtv.inference.wire.crop-max-pixels must be at least " + minCrop + ", not " + cropMaxPixels);
      }
      long largeFrame = root.getBytes("pekko.remote.artery.advanced.maximum-large-frame-size");
      // Headroom for the envelope: the rest of the Detect message (options, reply address) is small.
      long maxFrame = largeFrame - 16 * 1024;
      Config i = root.getConfig("gtv.inference");
      // The router's longest wait for a worker's answer: whatever comes before it is worth carrying back.
      Duration hang = i.getDuration("hang-timeout");
      Duration twice = i.getDuration("fallback-timeout").multipliedBy(2);
      Duration fallback = hang.compareTo(twice) > 0 ? hang : twice; // as InferenceRouter.Settings raises it
      Duration aws = i.getDuration("aws-timeout");
      return new Settings(detectSide, maxSide, quality, w.getBytes("pass-through-bytes"), maxFrame,
          i.getLong("max-pixels"), maxCrops, cropMaxPixels, fallback.compareTo(aws) > 0 ? fallback : aws);
    }

    /** The long side of a frame for a worker that reads plates on the whole frame, or reads none. */
    int side(DetectOptions options) {
      return options.detectPlates() ? maxSide : detectSide;
    }
  }

  private final ActorContext<?> context;
  private final DistributionSummary wireBytes;
  // Read when the first remote worker shows up: a router with local workers only needs neither.
  private Settings settings;
  private Executor executor;
  // One proxy per remote worker; a proxy stops with its worker, whose ref the router then no longer picks.
  private final Map<ActorRef<InferenceWorker.Command>, ActorRef<InferenceWorker.Command>> proxies = new HashMap<>();
  private long nextProxy;

  /** For the router: its context hosts the proxies. */
  public FrameWire(ActorContext<?> context, MeterRegistry registry) {
    this.context = context;
    this.wireBytes = DistributionSummary.builder("gtv.inference.wire.bytes")
        .description("Bytes sent per frame to an inference worker on another node (the frame and its plate crops)")
        .baseUnit("bytes")
        .publishPercentiles(0.5, 0.95, 0.99)
        .register(registry);
  }

  /**
   * Where to send a request for {@code worker} of {@code provider}: the worker itself, or the proxy
   * that carries frames to its node. A YOLOX worker reads plates on vehicle crops; Rekognition reads
   * them on the whole frame with one paid call, where crops would be one call each.
   */
  public ActorRef<InferenceWorker.Command> target(ActorRef<InferenceWorker.Command> worker, String provider) {
    if (!worker.path().address().hasGlobalScope()) return worker;
    if (settings == null) {
      settings = Settings.from(context.getSystem().settings().config());
      executor = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(InferenceSettings.DISPATCHER));
    }
    return proxies.computeIfAbsent(worker, w -> context.spawn(
        WireProxy.create(w, provider.equals(YoloxOnnxDetector.PROVIDER), settings, executor, wireBytes), "wire-" + w.path().name() + "-" + nextProxy++));
  }
}
