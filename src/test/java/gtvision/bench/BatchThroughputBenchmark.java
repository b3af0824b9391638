package gtvision.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import gtvision.inference.Images;
import gtvision.inference.ModelLoadException;
import gtvision.inference.OnnxSessions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Frames/s of the YOLOX model itself at batch 1, 8 and 32, on the CPU or a CUDA GPU, with the session
 * options the workers use ({@link OnnxSessions}: GTV_INFERENCE_DEVICE's cpu, cuda, cuda:N).
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=gtvision.bench.BatchThroughputBenchmark \
 *     -Dexec.args="[model.onnx] [cpu|cuda|cuda:N] [seconds per batch size]"      # add -Pgpu for CUDA
 * </pre>
 *
 * A model with a dynamic batch dimension (README "GPU inference") runs a batch of N as one session
 * call; a model exported with batch 1 (the YOLOX release file) runs it as N calls, and the output
 * says which. The input is one real image, letterboxed as the detector does it.
 */
public final class BatchThroughputBenchmark {
  private BatchThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path shared = Optional.ofNullable(System.getenv("GTV_SHARED_DIR")).map(Path::of)
        .orElse(Path.of(System.getProperty("user.dir")).resolve("../shared")).toAbsolutePath().normalize();
    Path model = args.length > 0 ? Path.of(args[0]) : shared.resolve("models/yolox_nano.onnx");
    String device = args.length > 1 ? args[1] : "cpu";
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
    if (!Files.isReadable(model)) {
      System.err.println("model not found: " + model + " (first argument, or GTV_SHARED_DIR)");
      System.exit(2);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options;
    try {
      options = OnnxSessions.options(device, 0);
    } catch (ModelLoadException e) {
      // CUDA asked for on a build or host without it: say so, do not print a stack trace.
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try (options; OrtSession session = env.createSession(model.toString(), options)) {
      Map.Entry<String, NodeInfo> input = session.getInputInfo().entrySet().iterator().next();
      long[] shape = ((TensorInfo) input.getValue().getInfo()).getShape();
      boolean dynamic = shape[0] < 0;
      int h = (int) shape[2];
      int w = (int) shape[3];
      int plane = 3 * h * w;
      FloatBuffer frame = ByteBuffer.allocateDirect(plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
      Mat mat = Images.decodeBgr(Files.readAllBytes(shared.resolve("testdata/images/dog.jpg")), Long.MAX_VALUE);
      Images.letterbox(mat, h, w, frame);
      frame.flip();
      mat.close();
      System.out.printf(Locale.ROOT, "model %s, input %s %s, device %s, %d cores%n", model.getFileName(),
          input.getKey(), Arrays.toString(shape), device, Runtime.getRuntime().availableProcessors());
      System.out.println(dynamic
          ? "dynamic batch dimension: a batch of N is one session call"
          : "fixed batch " + shape[0] + ": a batch of N is N session calls (export with --dynamic for one call)");
      System.out.println("| batch | frames/s | ms per batch |");
      System.out.println("|---|---|---|");
      for (int batch : List.of(1, 8, 32)) {
        FloatBuffer data = dynamic ? repeat(frame, batch, plane) : frame;
        int calls = dynamic ? 1 : batch;
        long[] dims = {dynamic ? batch : shape[0], 3, h, w};
        Runnable runBatch = () -> {
          for (int c = 0; c < calls; c++) {
            try (OnnxTensor t = OnnxTensor.createTensor(env, data.duplicate(), dims);
                OrtSession.Result r = session.run(Map.of(input.getKey(), t))) {
              ((OnnxTensor) r.get(0)).getFloatBuffer();
            } catch (Exception e) {
              throw new IllegalStateException("session.run failed at batch " + batch + ": " + e.getMessage(), e);
            }
          }
        };
        // Warm-up: at least 32 frames (ONNX Runtime's first runs, CUDA kernels and allocator).
        for (int done = 0; done < 32; done += batch) runBatch.run();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        int batches = 0;
        do {
          runBatch.run();
          batches++;
        } while (System.nanoTime() < deadline);
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f |%n", batch, batches * (double) batch / elapsed,
            elapsed * 1000 / batches);
      }
    }
  }

  private static FloatBuffer repeat(FloatBuffer frame, int n, int plane) {
    FloatBuffer all = ByteBuffer.allocateDirect(n * plane * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    for (int i = 0; i < n; i++) all.put(frame.duplicate());
    return all.flip();
  }
}
