package gtvision.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * YOLOX-family detector on ONNX Runtime (the runtime DJL's onnxruntime-engine brings; its Java API is
 * used directly so tensors wrap OpenCV-filled direct buffers without copies).
 *
 * <p>Per frame: header check and decode, letterbox into a direct float buffer (on {@code executor},
 * frames in parallel), then one {@link MicroBatcher} thread runs the model for frames of many
 * requests together, then decoding, NMS and plate reading (on {@code executor} again).
 *
 * <p>Batching: a model whose input has a dynamic batch dimension gets one session call per batch.
 * The reference yolox_nano.onnx is exported with batch fixed to 1, so there a batch is run as
 * sequential session calls inside one dispatch, without waiting for the batch to fill (max-wait
 * applies to dynamic-batch models only): batching then feeds the model back to back but cannot
 * amortise per-call cost (measured in docs/benchmarks.md, "Inference benchmark").
 */
public final class YoloxOnnxDetector implements Detector {

  /** How the detector is set up; see gtv.inference.gpu in inference.conf. */
  public record Settings(
      Path modelPath,
      String device,
      int intraOpThreads,
      int maxBatch,
      Duration maxWait,
      double confidence,
      Set<String> classes,
      double nmsIou,
      long maxPixels) {

    public Settings {
      classes = Set.copyOf(classes);
    }

    public Settings withModelPath(Path p) {
      return new Settings(p, device, intraOpThreads, maxBatch, maxWait, confidence, classes, nmsIou, maxPixels);
    }

    public Settings withBatch(int max, Duration wait) {
      return new Settings(modelPath, device, intraOpThreads, max, wait, confidence, classes, nmsIou, maxPixels);
    }

    public Settings withClasses(Set<String> c) {
      return new Settings(modelPath, device, intraOpThreads, maxBatch, maxWait, confidence, c, nmsIou, maxPixels);
    }

    public Settings withConfidence(double c) {
      return new Settings(modelPath, device, intraOpThreads, maxBatch, maxWait, c, classes, nmsIou, maxPixels);
    }
  }

  /** A letterboxed frame waiting for the model. */
  private record Prepared(
      FloatBuffer tensor, double ratio, int width, int height, Mat keptImage, boolean ownsImage, long preNanos) {}

  private record Raw(float[] output, long inferNanos) {}

  public static final String PROVIDER = "gpu";

  private final Settings settings;
  private final String modelId;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final boolean dynamicBatch;
  private final int inputHeight;
  private final int inputWidth;
  private final YoloxDecoder decoder;
  private final Optional<PlateReader> plates;
  private final Executor executor;
  private final MicroBatcher<Prepared, Raw> batcher;
  private final Clock clock = Clock.systemUTC();
  private final ArrayBlockingQueue<FloatBuffer> bufferPool;
  private final Timer latency;

  private YoloxOnnxDetector(
      Settings settings,
      OrtEnvironment env,
      OrtSession session,
      Optional<PlateReader> plates,
      Executor executor,
      MeterRegistry registry) throws OrtException {
    this.settings = settings;
    this.modelId = settings.modelPath().getFileName().toString();
    this.env = env;
    this.session = session;
    this.plates = plates;
    this.executor = executor;

    Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
    this.inputName = input.getKey();
    long[] in = ((TensorInfo) input.getValue().getInfo()).getShape();
    long[] out = ((TensorInfo) session.getOutputInfo().values().iterator().next().getInfo()).getShape();
    this.dynamicBatch = in[0] < 0;
    this.inputHeight = (int) in[2];
    this.inputWidth = (int) in[3];
    int classes = (int) out[2] - 5;
    List<String> names =
        classes == CocoClasses.NAMES.size()
            ? CocoClasses.NAMES
            : IntStream.range(0, classes).mapToObj(i -> "class" + i).toList();
    this.decoder = new YoloxDecoder(inputHeight, inputWidth, names, settings.nmsIou());
    if (out[1] > 0 && out[1] != decoder.cells()) {
      throw new ModelLoadException(
          "model " + settings.modelPath() + " outputs " + out[1] + " cells, a YOLOX model of input "
              + inputWidth + "x" + inputHeight + " has " + decoder.cells());
    }
    this.bufferPool = new ArrayBlockingQueue<>(settings.maxBatch() * 2 + 4);
    DistributionSummary batchSize =
        DistributionSummary.builder("gtv.inference.batch.size")
            .description("Frames per model dispatch")
            .tag("provider", PROVIDER)
            .register(registry);
    this.latency = InferenceMetrics.latency(registry, PROVIDER);
    // Waiting for a batch to fill only pays when the batch runs as one call; a fixed-batch model
    // takes whatever is queued right away (frames that arrive during a run still share the next one).
    Duration wait = dynamicBatch ? settings.maxWait() : Duration.ZERO;
    this.batcher =
        new MicroBatcher<>("gtv-inference-" + modelId, settings.maxBatch(), wait, this::infer, batchSize::record);
  }

  /**
   * Loads the model and checks it against the YOLOX contract.
   *
   * @throws ModelLoadException naming the file and what is wrong with it
   */
  public static YoloxOnnxDetector load(
      Settings settings, Optional<PlateReader> plates, Executor executor, MeterRegistry registry) {
    Path path = settings.modelPath().toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new ModelLoadException(
          "model file not found: " + path + " (set gtv.inference.gpu.model-path or GTV_MODEL_PATH)");
    }
    if (!Files.isReadable(path)) throw new ModelLoadException("model file not readable: " + path);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try (OrtSession.SessionOptions options = OnnxSessions.options(settings.device(), settings.intraOpThreads())) {
      try {
        session = env.createSession(path.toString(), options);
      } catch (OrtException e) {
        throw new ModelLoadException(
            "model file " + path + " is not a valid ONNX model: " + e.getMessage(), e);
      }
      checkContract(path, session);
      return new YoloxOnnxDetector(settings.withModelPath(path), env, session, plates, executor, registry);
    } catch (OrtException e) {
      closeQuietly(session);
      throw new ModelLoadException("cannot load model " + path + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  private static void checkContract(Path path, OrtSession session) throws OrtException {
    if (session.getInputInfo().size() != 1 || session.getOutputInfo().isEmpty()) {
      throw new ModelLoadException("model " + path + " is not a YOLOX detector: expected one image input");
    }
    NodeInfo in = session.getInputInfo().values().iterator().next();
    NodeInfo out = session.getOutputInfo().values().iterator().next();
    if (!(in.getInfo() instanceof TensorInfo ti) || !(out.getInfo() instanceof TensorInfo to)) {
      throw new ModelLoadException("model " + path + " is not a YOLOX detector: tensor input/output expected");
    }
    long[] s = ti.getShape();
    long[] o = to.getShape();
    if (s.length != 4 || s[1] != 3 || s[2] <= 0 || s[3] <= 0 || s[2] % 32 != 0 || s[3] % 32 != 0) {
      throw new ModelLoadException(
          "model " + path + " is not a YOLOX detector: input shape " + Arrays.toString(s)
              + ", expected [N, 3, H, W] with fixed H and W, multiples of 32");
    }
    if (o.length != 3 || o[2] < 6) {
      throw new ModelLoadException(
          "model " + path + " is not a YOLOX detector: output shape " + Arrays.toString(o)
              + ", expected [N, cells, 5 + classes]");
    }
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  /** One batch running and one filling: the batching thread never waits for the router. */
  @Override
  public int capacity() {
    return settings.maxBatch() * 2;
  }

  public boolean dynamicBatch() {
    return dynamicBatch;
  }

  @Override
  public CompletionStage<List<DetectionResult>> detect(List<ImageInput> images, DetectOptions options) {
    if (images.isEmpty()) return CompletableFuture.completedFuture(List.of());
    boolean readPlates = options.detectPlates() && plates.isPresent();
    List<CompletableFuture<DetectionResult>> frames = new ArrayList<>(images.size());
    Instant deadline = options.notAfter().orElse(null);
    long deadlineNanos = options.notAfterNanos(clock);
    for (ImageInput image : images) {
      long start = System.nanoTime();
      frames.add(
          CompletableFuture.supplyAsync(() -> {
                // An expired frame is not even decoded: under overload the CPU goes to frames in time.
                options.checkNotExpired(clock);
                return prepare(image, readPlates);
              }, executor)
              .thenCompose(
                  prepared ->
                      batcher
                          .submit(prepared, deadline, deadlineNanos)
                          .whenComplete((r, e) -> release(prepared.tensor))
                          .thenApplyAsync(raw -> finish(prepared, raw, options, readPlates, start), executor)
                          .whenComplete((r, e) -> {
                            if (prepared.ownsImage && prepared.keptImage != null) prepared.keptImage.close();
                          })));
    }
    return CompletableFuture.allOf(frames.toArray(CompletableFuture[]::new))
        .thenApply(v -> frames.stream().map(CompletableFuture::join).toList());
  }

  private Prepared prepare(ImageInput image, boolean keepImage) {
    long t0 = System.nanoTime();
    Mat mat;
    boolean owned;
    if (image instanceof ImageInput.Encoded e) {
      mat = Images.decodeBgr(e.bytes(), settings.maxPixels());
      owned = true;
    } else {
      mat = ((ImageInput.Decoded) image).bgr();
      owned = false;
      if (mat == null || mat.empty() || mat.type() != CV_8UC3) {
        throw new InvalidImageException("decoded frame must be a non-empty 8-bit BGR image");
      }
      if ((long) mat.cols() * mat.rows() > settings.maxPixels()) {
        throw new InvalidImageException("frame of " + mat.cols() + "x" + mat.rows() + " exceeds max-pixels");
      }
    }
    FloatBuffer buffer = acquire();
    try {
      double ratio = Images.letterbox(mat, inputHeight, inputWidth, buffer);
      buffer.flip();
      int w = mat.cols();
      int h = mat.rows();
      if (!keepImage && owned) {
        mat.close();
        mat = null;
      }
      return new Prepared(buffer, ratio, w, h, mat, owned, System.nanoTime() - t0);
    } catch (RuntimeException ex) {
      release(buffer);
      if (owned) mat.close();
      throw ex;
    }
  }

  /** Runs on the batcher thread: one session call per batch, or per frame for fixed-batch models. */
  private List<Raw> infer(List<Prepared> batch) throws OrtException {
    long start = System.nanoTime();
    int plane = 3 * inputHeight * inputWidth;
    List<Raw> out = new ArrayList<>(batch.size());
    if (dynamicBatch && batch.size() > 1) {
      FloatBuffer joined =
          ByteBuffer.allocateDirect(batch.size() * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
      for (Prepared p : batch) joined.put(p.tensor.duplicate());
      joined.flip();
      float[] all = run(joined, batch.size());
      long took = System.nanoTime() - start;
      int per = all.length / batch.size();
      for (int i = 0; i < batch.size(); i++) {
        float[] one = new float[per];
        System.arraycopy(all, i * per, one, 0, per);
        out.add(new Raw(one, took));
      }
    } else {
      for (Prepared p : batch) {
        float[] one = run(p.tensor, 1);
        out.add(new Raw(one, System.nanoTime() - start)); // includes the frames run before it
      }
    }
    return out;
  }

  private float[] run(FloatBuffer data, int n) throws OrtException {
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, data, new long[] {n, 3, inputHeight, inputWidth});
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      FloatBuffer fb = ((OnnxTensor) result.get(0)).getFloatBuffer();
      float[] values = new float[fb.remaining()];
      fb.get(values);
      return values;
    }
  }

  private DetectionResult finish(
      Prepared p, MicroBatcher.Batched<Raw> batched, DetectOptions options, boolean readPlates, long startNanos) {
    long t0 = System.nanoTime();
    List<Detection> detections =
        decoder.decode(
            batched.value().output(),
            p.ratio,
            options.confidenceOr(settings.confidence()),
            options.classesOr(settings.classes()),
            p.width,
            p.height);
    if (readPlates && p.keptImage != null) detections = readPlates(p.keptImage, detections);
    long post = System.nanoTime() - t0;
    latency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    return new DetectionResult(
        detections,
        PROVIDER,
        modelId,
        p.width,
        p.height,
        batched.batchSize(),
        new Timings(ms(p.preNanos), ms(batched.queueNanos()), ms(batched.value().inferNanos()), ms(post)));
  }

  private List<Detection> readPlates(Mat image, List<Detection> detections) {
    PlateReader reader = plates.orElseThrow();
    List<Detection> out = new ArrayList<>(detections.size());
    for (Detection d : detections) {
      if (!CocoClasses.VEHICLES.contains(d.className())) {
        out.add(d);
        continue;
      }
      Optional<PlateCrops.Region> region = PlateCrops.Region.of(d.box(), image.cols(), image.rows());
      if (region.isEmpty()) {
        out.add(d);
        continue;
      }
      PlateCrops.Region g = region.get();
      try (Rect r = new Rect(g.x(), g.y(), g.width(), g.height());
          Mat crop = image.apply(r)) {
        out.add(reader.read(crop).map(d::withPlate).orElse(d));
      }
    }
    return out;
  }

  /** Each crop (a vehicle cut from a frame on another node) read on {@code executor}; none without a reader. */
  @Override
  public CompletionStage<List<Optional<Plate>>> readPlates(List<ImageInput> crops) {
    if (plates.isEmpty() || crops.isEmpty()) return Detector.super.readPlates(crops);
    PlateReader reader = plates.get();
    List<CompletableFuture<Optional<Plate>>> reads = crops.stream()
        .map(c -> CompletableFuture.supplyAsync(() -> readCrop(reader, c), executor))
        .toList();
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(v -> reads.stream().map(CompletableFuture::join).toList());
  }

  private Optional<Plate> readCrop(PlateReader reader, ImageInput crop) {
    if (crop instanceof ImageInput.Decoded d) {
      if (d.bgr() == null || d.bgr().empty() || d.bgr().type() != CV_8UC3) {
        throw new InvalidImageException("decoded crop must be a non-empty 8-bit BGR image");
      }
      return reader.read(d.bgr());
    }
    try (Mat m = Images.decodeBgr(((ImageInput.Encoded) crop).bytes(), settings.maxPixels())) {
      return reader.read(m);
    }
  }

  private FloatBuffer acquire() {
    FloatBuffer b = bufferPool.poll();
    if (b == null) {
      b = ByteBuffer.allocateDirect(3 * inputHeight * inputWidth * Float.BYTES)
          .order(ByteOrder.nativeOrder())
          .asFloatBuffer();
    }
    b.clear();
    return b;
  }

  private void release(FloatBuffer b) {
    bufferPool.offer(b); // a full pool drops the buffer to the GC
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static void closeQuietly(OrtSession s) {
    if (s == null) return;
    try {
      s.close();
    } catch (OrtException ignored) {
      // closing after a failed load: nothing more to report than the load error itself
    }
  }

  @Override
  public void close() {
    batcher.close();
    closeQuietly(session);
    plates.ifPresent(PlateReader::close);
  }
}
