package gtvision.objects;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The body of {@code GET /api/counts}: per line, its totals, its totals per class and its buckets (only
 * those with crossings, oldest first), each split by direction ({@code in}, {@code out}, see the camera's
 * line configuration) with their sum in {@code total}.
 */
final class LineCountJson {
  private LineCountJson() {}

  record Counts(String camera, String bucket, Instant from, Instant to, List<LineCounts> lines) {}

  record LineCounts(String line, long in, long out, long total, List<ClassCounts> classes, List<Bucket> buckets) {}

  record Bucket(Instant start, long in, long out, long total, List<ClassCounts> classes) {}

  record ClassCounts(@JsonProperty("class") String className, long in, long out, long total) {}

  /** The answer for rows of hour buckets, summed into buckets that start at {@code bucketOf(hour)}. */
  static Counts of(String camera, String bucket, Instant from, Instant to, List<LineCountTable.Row> rows,
      Function<Instant, Instant> bucketOf) {
    Map<String, List<LineCountTable.Row>> byLine = new TreeMap<>();
    for (LineCountTable.Row r : rows) byLine.computeIfAbsent(r.line(), l -> new ArrayList<>()).add(r);
    List<LineCounts> lines = new ArrayList<>();
    byLine.forEach((line, lineRows) -> {
      Map<Instant, List<LineCountTable.Row>> byBucket = new TreeMap<>();
      for (LineCountTable.Row r : lineRows) byBucket.computeIfAbsent(bucketOf.apply(r.bucketStart()), b -> new ArrayList<>()).add(r);
      List<Bucket> buckets = new ArrayList<>();
      byBucket.forEach((start, bucketRows) -> {
        Tally t = Tally.of(bucketRows);
        buckets.add(new Bucket(start, t.in, t.out, t.in + t.out, classes(bucketRows)));
      });
      Tally t = Tally.of(lineRows);
      lines.add(new LineCounts(line, t.in, t.out, t.in + t.out, classes(lineRows), buckets));
    });
    return new Counts(camera, bucket, from, to, lines);
  }

  private static List<ClassCounts> classes(List<LineCountTable.Row> rows) {
    Map<String, List<LineCountTable.Row>> byClass = new TreeMap<>();
    for (LineCountTable.Row r : rows) byClass.computeIfAbsent(r.className(), c -> new ArrayList<>()).add(r);
    Map<String, ClassCounts> out = new LinkedHashMap<>();
    byClass.forEach((c, classRows) -> {
      Tally t = Tally.of(classRows);
      out.put(c, new ClassCounts(c, t.in, t.out, t.in + t.out));
    });
    return List.copyOf(out.values());
  }

  private record Tally(long in, long out) {
    static Tally of(List<LineCountTable.Row> rows) {
      long in = 0;
      long out = 0;
      for (LineCountTable.Row r : rows) {
        if (gtvision.camera.CountLine.IN.equals(r.direction())) in += r.count();
        else out += r.count();
      }
      return new Tally(in, out);
    }
  }
}
