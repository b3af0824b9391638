package gtvision.bench;

import gtvision.alerts.WatchEntry;
import gtvision.alerts.WatchListEntity;
import gtvision.alerts.WatchListView;
import gtvision.camera.PlateVote;
import gtvision.camera.RecordedDetection;
import gtvision.tracking.TrackInput;
import gtvision.tracking.Tracker;
import gtvision.tracking.TrackerSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What plates per object cost a camera per sighting: one plate read into the object's vote, and the
 * object's plate checked against a watch list of N entries (half exact plates, half wildcard patterns),
 * for a plate the view has checked before (every sighting after an object's first) and for a new one.
 * The limit, measured in the same run: the tracker's own update for a frame of ten cars, which the camera
 * does for every frame anyway. The ratio is plate work for ten sightings over that.
 *
 * <p>Run: {@code mvn -B -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=gtvision.bench.PlatesBenchmark -Dexec.args="5000"}
 */
public final class PlatesBenchmark {
  private static final int ROUNDS = 5;
  private static final int OPS = 200_000;

  public static void main(String[] args) {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    Random random = new Random(13);
    List<WatchEntry> list = new ArrayList<>();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < entries; i++) {
      String plate = plate(random);
      String pattern = i % 2 == 0 ? plate : plate.substring(0, 3) + "*" + plate.substring(5);
      list.add(new WatchEntry(Integer.toString(i + 1), pattern, "entry " + i, true, t0, t0));
    }
    WatchListView view = new WatchListView();
    view.offer(new WatchListEntity.State(list, entries + 1, 1));
    String[] plates = new String[OPS];
    for (int i = 0; i < OPS; i++) plates[i] = plate(random);
    RecordedDetection[] reads = new RecordedDetection[64];
    for (int i = 0; i < reads.length; i++) {
      reads[i] = new RecordedDetection("car", 0.8, List.of(0.0, 0.0, 100.0, 60.0), i % 4 == 0 ? plate(random) : "ABC1D23",
          0.3 + 0.7 * random.nextDouble());
    }

    double voteNs = 0;
    double warmNs = 0;
    double coldNs = 0;
    double trackerNs = 0;
    long sink = 0;
    for (int round = 0; round < ROUNDS + 2; round++) {
      long t = System.nanoTime();
      PlateVote vote = PlateVote.EMPTY;
      for (int i = 0; i < OPS; i++) {
        if (i % 200 == 0) vote = PlateVote.EMPTY; // an object lives a few hundred frames
        vote = vote.add(reads[i & 63], 8);
      }
      sink += vote.candidates().size();
      double v = (System.nanoTime() - t) / (double) OPS;

      t = System.nanoTime();
      for (int i = 0; i < OPS; i++) sink += view.hits("ABC1D23").size();
      double w = (System.nanoTime() - t) / (double) OPS;

      // A fresh list (the view compiles it again) so no plate has been checked before.
      view.offer(new WatchListEntity.State(list, entries + 1, 2 + round));
      int cold = Math.max(1000, OPS / Math.max(1, entries / 100));
      t = System.nanoTime();
      for (int i = 0; i < cold; i++) sink += view.hits(plates[i]).size();
      double c = (System.nanoTime() - t) / (double) cold;

      double k = trackerNsPerFrame(random);
      if (round >= 2) {
        voteNs += v / ROUNDS;
        warmNs += w / ROUNDS;
        coldNs += c / ROUNDS;
        trackerNs += k / ROUNDS;
      }
    }
    double perSighting = voteNs + warmNs;
    System.out.printf(Locale.ROOT, "watch list of %d entries (%d wildcard), %d rounds after 2 warm-up rounds%n", entries, entries / 2,
        ROUNDS);
    System.out.println("| step | ns | per frame of 10 cars ÷ tracker update of that frame |\n|---|---|---|");
    System.out.printf(Locale.ROOT, "| vote: add one read | %.0f | %.3f |%n", voteNs, 10 * voteNs / trackerNs);
    System.out.printf(Locale.ROOT, "| watch list: a plate checked before | %.0f | %.3f |%n", warmNs, 10 * warmNs / trackerNs);
    System.out.printf(Locale.ROOT, "| watch list: a new plate (scan) | %.0f | %.3f |%n", coldNs, 10 * coldNs / trackerNs);
    System.out.printf(Locale.ROOT, "| per sighting (vote + known plate) | %.0f | %.3f |%n", perSighting, 10 * perSighting / trackerNs);
    System.out.printf(Locale.ROOT, "| limit: tracker update, frame of 10 cars | %.0f | 1.000 |%n", trackerNs);
    System.out.println("(checksum " + sink + ")");
  }

  private static String plate(Random random) {
    StringBuilder b = new StringBuilder(7);
    for (int i = 0; i < 7; i++) b.append(i == 3 || i == 5 || i == 6 ? (char) ('0' + random.nextInt(10)) : (char) ('A' + random.nextInt(26)));
    return b.toString();
  }

  /** Ten cars driving across, one frame per second, on one camera's tracker. */
  private static double trackerNsPerFrame(Random random) {
    Tracker tracker = new Tracker(TrackerSettings.DEFAULTS);
    int frames = 2000;
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    long t = System.nanoTime();
    long sink = 0;
    for (int f = 0; f < frames; f++) {
      List<TrackInput> cars = new ArrayList<>(10);
      for (int c = 0; c < 10; c++) {
        double x = 50 + c * 180 + (f % 100) * 2 + random.nextDouble();
        double y = 100 + (c % 3) * 300;
        cars.add(TrackInput.of("car", 0.8, List.of(x, y, x + 160, y + 100)));
      }
      sink += tracker.update(at.plusSeconds(f), cars).trackIds().size();
    }
    return (System.nanoTime() - t) / (double) frames + (sink == -1 ? 1 : 0);
  }
}
