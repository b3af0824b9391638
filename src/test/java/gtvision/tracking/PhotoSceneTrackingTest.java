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
 * A short fast scene checks that objects moving more than their width a frame still get tracks.
 * The full figures are PhotoTrackerBenchmark's (docs/benchmarks.md, "Tracker (issue 13)").
 */
class PhotoSceneTrackingTest {

  static ExecutorService executor;
  static YoloxOnnxDetector detector;
  static List<PhotoScenes.Frame> scene;
  static List<List<TrackInput>> detections;
  static List<PhotoScenes.Frame> fastScene;
  static List<List<TrackInput>> fastDetections;

  @BeforeAll
  static void detectOnce() {
    executor = Executors.newFixedThreadPool(2);
    detector = YoloxOnnxDetector.load(new YoloxOnnxDetector.Settings(
        MediaTools.sharedDir().resolve("models/yolox_nano.onnx"), "cpu", 2, 4, Duration.ZERO,
        TrackerSettings.DEFAULTS.lowThreshold(), Set.of(), 0.45, 50_000_000L), Optional.empty(), executor,
        new SimpleMeterRegistry());
    scene = PhotoScenes.generate(1, PhotoScenes.Spec.slow(FRAMES));
    detections = PhotoScenes.detect(detector, scene);
    fastScene = PhotoScenes.generate(1, PhotoScenes.Spec.fast(FAST_FRAMES));
    fastDetections = PhotoScenes.detect(detector, fastScene);
  }

  @AfterAll
  static void close() {
    if (detector != null) detector.close();
    executor.shutdown();
  }

  static final int FRAMES = 80;
  static final int FAST_FRAMES = 60;

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

  @Test
  void fastMoversAreConfirmedThroughTheCentreGate() {
    TrackerSettings d = TrackerSettings.DEFAULTS;
    MotScorer.Scores s = PhotoScenes.score(new Tracker(d), fastScene, fastDetections);
    MotScorer.Scores noGate = PhotoScenes.score(new Tracker(d.withCentreGate(0, d.centreGateSizeRatio())),
        fastScene, fastDetections);
    String report = s + "; without the centre gate " + noGate;
    System.out.println(report);
    assertTrue(s.mota() >= FAST_MOTA_FLOOR, "MOTA below " + FAST_MOTA_FLOOR + ": " + report);
    assertTrue(s.idf1() >= FAST_IDF1_FLOOR, "IDF1 below " + FAST_IDF1_FLOOR + ": " + report);
    assertTrue(s.mota() - noGate.mota() >= FAST_MOTA_GAIN, "the centre gate gains less than " + FAST_MOTA_GAIN + ": " + report);
  }

  // Measured on 60 frames of fast seed 1 (366 truth boxes, 31 objects; a few seconds of detection):
  // 0.328 and 0.522, without the centre gate 0.189 and 0.325. The floors leave 0.04 as above; the
  // tracker before the gate fails all three, and the gain must stay above about half its measure.
  static final double FAST_MOTA_FLOOR = 0.29;
  static final double FAST_IDF1_FLOOR = 0.48;
  static final double FAST_MOTA_GAIN = 0.07;

  // Measured 0.398 and 0.562 on this scene (80 frames of slow seed 1, 571 truth boxes, 18 objects);
  // the floors leave 0.04 for a detector whose scores move a little on another CPU. Worse trackers
  // measured on it: confirm-hits 3 0.289 / 0.426, match-iou 0.5 0.354 / 0.511.
  static final double MOTA_FLOOR = 0.36;
  static final double IDF1_FLOOR = 0.52;
}
