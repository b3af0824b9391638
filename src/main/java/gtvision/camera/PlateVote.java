package gtvision.camera;

import gtvision.CborSerializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * An object's plate, chosen by a confidence-weighted vote across the plate reads of its frames: each read
 * adds its weight to its (normalised) text, and the choice is the text with the most weight. One frame
 * misread ("8" for "B") loses to the many frames that read it right, however sure the misread was.
 *
 * <p>Bounded: at most {@code cap} distinct texts are kept. A new text when the vote is full replaces the
 * weakest candidate, so a plate read again and again always gets in and stays, while one-off misreads take
 * turns in the last places; the choice (the strongest) is never the one replaced while {@code cap >= 2}.
 * Immutable, and part of the camera's state: the same reads in the same order give the same vote, live
 * and on replay.
 *
 * @param candidates the texts read so far with their summed weight and read count, strongest first
 */
public record PlateVote(List<Candidate> candidates) implements CborSerializable {

  public static final PlateVote EMPTY = new PlateVote(List.of());
  public static final int MAX_LENGTH = 32;

  /** One text read on the object's frames: its summed weight and how many reads it had. */
  public record Candidate(String text, double weight, int reads) implements CborSerializable {}

  /** Strongest first; ties go to more reads, then to the smaller text, so the order never depends on arrival. */
  private static final Comparator<Candidate> STRONGEST = Comparator.comparingDouble(Candidate::weight).reversed()
      .thenComparing(Comparator.comparingInt(Candidate::reads).reversed())
      .thenComparing(Candidate::text);

  public PlateVote {
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
  }

  /**
   * The text a plate read counts as: upper case, letters and digits only ("ab-12 cd" and "AB12CD" are one
   * plate; readers and producers differ on spaces and dashes, the plate does not). Null when nothing is left
   * or more than {@value #MAX_LENGTH} characters are.
   */
  public static String normalise(String raw) {
    if (raw == null) return null;
    StringBuilder out = new StringBuilder(raw.length());
    raw.toUpperCase(Locale.ROOT).codePoints().filter(Character::isLetterOrDigit).forEach(out::appendCodePoint);
    // Longer is no plate (and would not fit the read side's column).
    return out.isEmpty() || out.length() > MAX_LENGTH ? null : out.toString();
  }

  /**
   * How much a detection's plate read counts: the reader's own confidence in the text when it gave one,
   * else the detection's (a sure, large view of the car is likelier to be read right). 0 for no read.
   */
  public static double weight(RecordedDetection d) {
    if (normalise(d.plate()) == null) return 0;
    double w = d.plateConfidence() != null ? d.plateConfidence() : d.confidence();
    return Double.isFinite(w) ? Math.max(0, Math.min(1, w)) : 0;
  }

  /** The vote after one detection's plate read (unchanged when it has none, or a read of weight 0). */
  public PlateVote add(RecordedDetection d, int cap) {
    if (d == null) return this;
    return add(normalise(d.plate()), weight(d), cap);
  }

  /** The vote after a read of {@code text} (normalised) with {@code weight}. */
  public PlateVote add(String text, double weight, int cap) {
    if (text == null || !(weight > 0) || cap < 1) return this;
    List<Candidate> next = new ArrayList<>(candidates.size() + 1);
    boolean found = false;
    for (Candidate c : candidates) {
      if (c.text().equals(text)) {
        next.add(new Candidate(text, c.weight() + weight, c.reads() + 1));
        found = true;
      } else {
        next.add(c);
      }
    }
    if (!found) {
      next.sort(STRONGEST);
      while (next.size() >= cap) next.remove(next.size() - 1);
      next.add(new Candidate(text, weight, 1));
    }
    next.sort(STRONGEST);
    return new PlateVote(next);
  }

  /** The current choice: the text with the most weight; null before the first read. */
  public String choice() {
    return candidates.isEmpty() ? null : candidates.get(0).text();
  }
}
