package gtvision.bench;

import gtvision.inference.YoloxOnnxDetector;
import gtvision.testsupport.MediaTools;
import gtvision.tracking.MotScorer;
import gtvision.tracking.PhotoScenes;
import gtvision.tracking.TrackInput;
import gtvision.tracking.Tracker;
import gtvision.tracking.TrackerSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The tracker behind the real detector: {@link PhotoScenes} (the shared photos moved across a
 * 1920x1080 canvas, JPEG frames at about 1 fps) through YOLOX-Nano on ONNX Runtime (CPU) into the
 * tracker, scored with CLEAR-MOT and IDF1 at IoU 0.5 against the photos' known object boxes.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=gtvision.bench.PhotoTrackerBenchmark \
 *     -Dexec.args="[seeds (3)] [frames per scene (120)] [directory to write the frames to]"
 * </pre>
 *
 * The detector runs at the tracker's low threshold (0.1), so both of its passes get their input; the
 * same detections cut at 0.5 are what a camera at the deployment's default gtv.inference.confidence
 * sends (the kept boxes are the same: NMS only lets a higher-scored box suppress another).
 */
public final class PhotoTrackerBenchmark {
  private PhotoTrackerBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int frames = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    Optional<Path> dump = args.length > 2 ? Optional.of(Path.of(args[2])) : Optional.empty();
    TrackerSettings defaults = TrackerSettings.DEFAULTS;
    TrackerSettings noLow = new TrackerSettings(defaults.highThreshold(), defaults.highThreshold(),
        defaults.matchIou(), defaults.confirmHits(), defaults.maxMisses(), defaults.maxAge(),
        defaults.stillThreshold(), defaults.stillAfter(), defaults.classGroups());

    ExecutorService executor = Executors.newFixedThreadPool(2);
    YoloxOnnxDetector.Settings settings = new YoloxOnnxDetector.Settings(
        MediaTools.sharedDir().resolve("models/yolox_nano.onnx"), "cpu", 2, 4, Duration.ZERO,
        defaults.lowThreshold(), Set.of(), 0.45, 50_000_000L);
    try (YoloxOnnxDetector detector = YoloxOnnxDetector.load(settings, Optional.empty(), executor, new SimpleMeterRegistry())) {
      System.out.printf(Locale.ROOT, "Photo scenes of %d frames, yolox_nano.onnx on the CPU, %d cores%n",
          frames, Runtime.getRuntime().availableProcessors());
      table(detector, "slow (15-40 px/s)", PhotoScenes.Spec.slow(frames), seeds, dump, defaults, noLow);
      table(detector, "fast (80-160 px/s)", PhotoScenes.Spec.fast(frames), seeds, dump, defaults, noLow);
    } finally {
      executor.shutdown();
    }
  }

  private static void table(YoloxOnnxDetector detector, String title, PhotoScenes.Spec spec, int seeds,
      Optional<Path> dump, TrackerSettings defaults, TrackerSettings noLow) throws Exception {
    System.out.printf(Locale.ROOT, "%n## %s%n%n", title);
    System.out.println("| seed | truth boxes / objects | detector alone (>= 0.5): misses, FP, MOTA bound | MOTA | IDF1 | ID switches / 100 objects | misses | FP | MOTA, IDF1 without the low pass (as on detections >= 0.5 only) | MOTA, IDF1 without the centre gate (centre-gate 0) | detector alone (>= 0.1): misses, FP | detect ms/frame |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    TrackerSettings noGate = defaults.withCentreGate(0, defaults.centreGateSizeRatio());
    double[] sum = new double[8];
    for (int s = 1; s <= seeds; s++) {
      List<PhotoScenes.Frame> scene = PhotoScenes.generate(s, spec);
      if (dump.isPresent()) write(dump.get(), title.split(" ")[0] + s, scene);
      long t0 = System.nanoTime();
      List<List<TrackInput>> dets = PhotoScenes.detect(detector, scene);
      double msPerFrame = (System.nanoTime() - t0) / 1e6 / scene.size();
      List<List<TrackInput>> high = PhotoScenes.atLeast(dets, defaults.highThreshold());
      MotScorer.Scores oracle = PhotoScenes.detectorOnly(scene, high);
      MotScorer.Scores all = PhotoScenes.detectorOnly(scene, dets);
      MotScorer.Scores r = PhotoScenes.score(new Tracker(defaults), scene, dets);
      MotScorer.Scores n = PhotoScenes.score(new Tracker(noLow), scene, dets);
      MotScorer.Scores g = PhotoScenes.score(new Tracker(noGate), scene, dets);
      double bound = 1 - (double) (oracle.misses() + oracle.falsePositives()) / oracle.truthBoxes();
      System.out.printf(Locale.ROOT, "| %d | %d / %d | %d, %d, %.3f | %.3f | %.3f | %.1f | %d | %d | %.3f, %.3f | %.3f, %.3f | %d, %d | %.0f |%n",
          s, r.truthBoxes(), r.truthObjects(), oracle.misses(), oracle.falsePositives(), bound, r.mota(), r.idf1(),
          r.idSwitchesPer100(), r.misses(), r.falsePositives(), n.mota(), n.idf1(), g.mota(), g.idf1(), all.misses(),
          all.falsePositives(), msPerFrame);
      double[] v = {bound, r.mota(), r.idf1(), r.idSwitchesPer100(), n.mota(), n.idf1(), g.mota(), g.idf1()};
      for (int i = 0; i < v.length; i++) sum[i] += v[i] / seeds;
    }
    System.out.printf(Locale.ROOT, "| mean | | bound %.3f | %.3f | %.3f | %.1f | | | %.3f, %.3f | %.3f, %.3f | | |%n",
        sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7]);
  }

  private static void write(Path dir, String name, List<PhotoScenes.Frame> scene) throws Exception {
    Files.createDirectories(dir);
    for (int f = 0; f < scene.size(); f++) {
      Files.write(dir.resolve(String.format(Locale.ROOT, "%s-%03d.jpg", name, f)), scene.get(f).jpeg());
    }
  }
}
