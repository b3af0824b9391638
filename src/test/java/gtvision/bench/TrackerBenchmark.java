package gtvision.bench;

import gtvision.tracking.MotScorer;
import gtvision.tracking.SceneGenerator;
import gtvision.tracking.Tracker;
import gtvision.tracking.TrackerSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The tracker's accuracy on synthetic scenes with ground truth (MOTA, IDF1, ID switches per 100
 * objects; CLEAR-MOT at IoU 0.5) and its CPU cost per frame for a fleet of cameras at 1 fps with
 * about ten objects per frame. Args: [seeds (5)] [cameras (250)] [frames per camera (300)].
 */
public final class TrackerBenchmark {

  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int cameras = args.length > 1 ? Integer.parseInt(args[1]) : 250;
    int frames = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    TrackerSettings defaults = TrackerSettings.DEFAULTS;

    System.out.println("## Accuracy, standard scenes (" + SceneGenerator.Spec.standard() + ")");
    System.out.println();
    System.out.println("| seed | MOTA | IDF1 | ID switches / 100 objects | misses | false positives | truth boxes | without the centre gate: MOTA, IDF1, ID switches, misses, FP |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    double mota = 0;
    double idf1 = 0;
    double idsw = 0;
    double motaNoLow = 0;
    double idf1NoLow = 0;
    double motaNoGate = 0;
    double idf1NoGate = 0;
    TrackerSettings noGate = defaults.withCentreGate(0, defaults.centreGateSizeRatio());
    TrackerSettings noLow = new TrackerSettings(defaults.highThreshold(), defaults.highThreshold(),
        defaults.matchIou(), defaults.confirmHits(), defaults.maxMisses(), defaults.maxAge(),
        defaults.stillThreshold(), defaults.stillAfter(), defaults.classGroups());
    for (int s = 1; s <= seeds; s++) {
      List<SceneGenerator.Frame> scene = SceneGenerator.generate(s, SceneGenerator.Spec.standard());
      MotScorer.Scores r = MotScorer.score(new Tracker(defaults), scene);
      MotScorer.Scores n = MotScorer.score(new Tracker(noLow), scene);
      MotScorer.Scores g = MotScorer.score(new Tracker(noGate), scene);
      System.out.printf("| %d | %.4f | %.4f | %.1f | %d | %d | %d | %.4f, %.4f, %d, %d, %d |%n", s, r.mota(), r.idf1(),
          r.idSwitchesPer100(), r.misses(), r.falsePositives(), r.truthBoxes(), g.mota(), g.idf1(), g.idSwitches(),
          g.misses(), g.falsePositives());
      motaNoGate += g.mota();
      idf1NoGate += g.idf1();
      mota += r.mota();
      idf1 += r.idf1();
      idsw += r.idSwitchesPer100();
      motaNoLow += n.mota();
      idf1NoLow += n.idf1();
    }
    System.out.printf("| mean | %.4f | %.4f | %.1f | | | | %.4f, %.4f |%n", mota / seeds, idf1 / seeds, idsw / seeds,
        motaNoGate / seeds, idf1NoGate / seeds);
    System.out.printf("%nWithout the low-confidence pass (low-threshold = high-threshold), same scenes: MOTA %.3f, IDF1 %.3f%n",
        motaNoLow / seeds, idf1NoLow / seeds);

    // CPU: each camera replays one of a few distinct scenes of about ten objects per frame.
    SceneGenerator.Spec busy = new SceneGenerator.Spec(frames, frames / 4, frames / 30, 0.1, 1.0, 0.03, 0.15, 0.3);
    List<List<SceneGenerator.Frame>> scenes = new ArrayList<>();
    long detections = 0;
    long sceneFrames = 0;
    for (int s = 0; s < 25; s++) {
      List<SceneGenerator.Frame> scene = SceneGenerator.generate(1000 + s, busy);
      scenes.add(scene);
      for (SceneGenerator.Frame f : scene) detections += f.detections().size();
      sceneFrames += scene.size();
    }
    double detsPerFrame = (double) detections / sceneFrames;
    long sink = 0;
    for (int round = 0; round < 2; round++) sink += replay(scenes, cameras); // warm up the JIT
    // Wall time counts the time the thread waits for a core on a shared machine; the thread's own CPU
    // time does not, and it is what "share of a core" means.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int rounds = 5;
    long best = Long.MAX_VALUE;
    long total = 0;
    long bestCpu = Long.MAX_VALUE;
    long totalCpu = 0;
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      long c0 = threads.getCurrentThreadCpuTime();
      sink += replay(scenes, cameras);
      long cpu = threads.getCurrentThreadCpuTime() - c0;
      long ns = System.nanoTime() - t0;
      best = Math.min(best, ns);
      total += ns;
      bestCpu = Math.min(bestCpu, cpu);
      totalCpu += cpu;
    }
    long framesPerRound = (long) cameras * frames;
    double nsPerFrame = (double) total / rounds / framesPerRound;
    double bestNsPerFrame = (double) best / framesPerRound;
    System.out.println();
    System.out.println("## CPU");
    System.out.println();
    System.out.printf("%d cameras x %d frames, %.1f detections per frame (about %.1f objects), %d rounds after 2 warm-up rounds%n",
        cameras, frames, detsPerFrame, detsPerFrame - busy.falsePositives(), rounds);
    double cpuPerFrame = (double) totalCpu / rounds / framesPerRound;
    double bestCpuPerFrame = (double) bestCpu / framesPerRound;
    System.out.printf("wall: mean %.0f ns/frame (best round %.0f ns/frame)%n", nsPerFrame, bestNsPerFrame);
    System.out.printf("thread CPU: mean %.0f ns/frame (best round %.0f ns/frame)%n", cpuPerFrame, bestCpuPerFrame);
    System.out.printf("%d cameras at 1 fps: %.2f %% of one core by CPU time (best round %.2f %%); by wall time %.2f %% (best %.2f %%)%n",
        cameras, cpuPerFrame * cameras / 1e9 * 100, bestCpuPerFrame * cameras / 1e9 * 100,
        nsPerFrame * cameras / 1e9 * 100, bestNsPerFrame * cameras / 1e9 * 100);
    System.out.printf("load average at the end: %.1f on %d cores%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
    System.out.println("(checksum " + sink + ")");
  }

  // One tracker per camera, frames interleaved across cameras as they would arrive.
  private static long replay(List<List<SceneGenerator.Frame>> scenes, int cameras) {
    Tracker[] trackers = new Tracker[cameras];
    for (int c = 0; c < cameras; c++) trackers[c] = new Tracker(TrackerSettings.DEFAULTS);
    int frames = scenes.get(0).size();
    long sink = 0;
    for (int f = 0; f < frames; f++) {
      for (int c = 0; c < cameras; c++) {
        SceneGenerator.Frame frame = scenes.get(c % scenes.size()).get(f);
        sink += trackers[c].update(frame.capturedAt(), frame.detections()).confirmed().size();
      }
    }
    return sink;
  }
}
