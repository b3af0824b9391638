package gtvision.camera;

import gtvision.CborSerializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A named two-point line of the camera's picture whose crossings are counted. Its direction matters: a
 * crossing is {@code in} when the object goes from the left of {@code from -> to} to its right, as seen on
 * the picture (y grows downwards), and {@code out} the other way. A line drawn left to right across a
 * road counts cars coming down the picture as {@code in}.
 *
 * @param name [A-Za-z0-9_-], unique among the camera's lines
 * @param from its first point [x, y], fractions 0..1 of the picture
 * @param to its second point, distinct from {@code from}
 * @param classes the classes it counts; empty: every class
 */
public record CountLine(String name, List<Double> from, List<Double> to, List<String> classes)
    implements CborSerializable {

  public static final String IN = "in";
  public static final String OUT = "out";

  public CountLine {
    // As sent: a client's null coordinate or class must reach the validator, which names it.
    from = from == null ? null : Collections.unmodifiableList(new ArrayList<>(from));
    to = to == null ? null : Collections.unmodifiableList(new ArrayList<>(to));
    classes = classes == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(classes));
  }

  /** Whether crossings of objects of {@code className} count on this line. */
  public boolean accepts(String className) {
    return classes.isEmpty() || classes.contains(className);
  }
}
