package gtvision.camera;

import gtvision.CborSerializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A named area of the camera's picture where objects are followed in and out.
 *
 * @param name [A-Za-z0-9_-], unique among the camera's zones (it is what {@code /api/events?zone=} finds)
 * @param polygon its corners as [x, y], fractions 0..1 of the picture's width and height (like motion masks)
 * @param classes the classes it cares about; empty: every class
 * @param loiterAfter seconds an object stays in it before it counts as loitering; null: the deployment's
 *     {@code gtv.tracking.loiter-after}
 */
public record Zone(String name, List<List<Double>> polygon, List<String> classes, Double loiterAfter)
    implements CborSerializable {

  public Zone {
    // As sent: a client's null point or class must reach the validator, which names it.
    polygon = polygon == null ? List.of()
        : Collections.unmodifiableList(polygon.stream().map(p -> p == null ? null : Collections.unmodifiableList(new ArrayList<>(p))).toList());
    classes = classes == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(classes));
  }

  /** Whether objects of {@code className} count in this zone. */
  public boolean accepts(String className) {
    return classes.isEmpty() || classes.contains(className);
  }
}
