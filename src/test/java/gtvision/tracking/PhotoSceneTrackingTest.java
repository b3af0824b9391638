package gtvision.tracking;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.inference.YoloxOnnxDetector;
import gtvision.testsupport.MediaTools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tracker behind the real detector (yolox_nano.onnx from ../shared on the CPU) on a photo scene
 * with known boxes ({@link PhotoScenes}): a tracker change that makes it clearly worse fails here.
 * The full figures are PhotoTrackerBenchmark's (docs/benchmarks.md, "Tracker (issue 13)").
 */
class PhotoSceneTrackingTest {

  static ExecutorService executor;
  static YoloxOnnxDetector detector;
  static List<PhotoScenes.Frame> scene;
  static List<List<TrackInput>> detections;

  @BeforeAll
  static void detectOnce() {
    executor = Executors.newFixedThreadPool(2);
    detector = YoloxOnnxDetector.load(new YoloxOnnxDetector.Settings(
        MediaTools.sharedDir().resolve("models/yolox_nano.onnx"), "cpu", 2, 4, Duration.ZERO,
        TrackerSettings.DEFAULTS.lowThreshold(), Set.of(), 0.45, 50_000_000L), Optional.empty(), executor,
        new SimpleMeterRegistry());
    scene = PhotoScenes.generate(1, PhotoScenes.Spec.slow(FRAMES));
    detections = PhotoScenes.detect(detector, scene);
  }

  @AfterAll
  static void close() {
    if (detector != null) detector.close();
    executor.shutdown();
  }

  static final int FRAMES = 80;

  @Test
  void photosMovedAcrossTheCanvasScoreAtLeastWhatTheTrackerAchievesBehindTheRealDetector() {
    MotScorer.Scores s = PhotoScenes.score(new Tracker(TrackerSettings.DEFAULTS), scene, detections);
    MotScorer.Scores detectorAlone = PhotoScenes.detectorOnly(scene,
        PhotoScenes.atLeast(detections, TrackerSettings.DEFAULTS.highThreshold()));
    double bound = 1 - (double) (detectorAlone.misses() + detectorAlone.falsePositives()) / detectorAlone.truthBoxes();
    String report = String.format("%s; the detector alone at 0.5 misses %d and adds %d false positives (MOTA bound %.3f)",
        s, detectorAlone.misses(), detectorAlone.falsePositives(), bound);
    System.out.println(report);
    assertTrue(s.mota() >= MOTA_FLOOR, "MOTA below " + MOTA_FLOOR + ": " + report);
    assertTrue(s.idf1() >= IDF1_FLOOR, "IDF1 below " + IDF1_FLOOR + ": " + report);
  }

  // Measured 0.398 and 0.562 on this scene (80 frames of slow seed 1, 571 truth boxes, 18 objects);
  // the floors leave 0.04 for a detector whose scores move a little on another CPU. Worse trackers
  // measured on it: confirm-hits 3 0.289 / 0.426, match-iou 0.5 0.354 / 0.511.
  static final double MOTA_FLOOR = 0.36;
  static final double IDF1_FLOOR = 0.52;
}
