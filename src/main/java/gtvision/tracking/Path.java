package gtvision.tracking;

import java.util.ArrayList;
import java.util.List;

/**
 * A bounded summary of a track's path: every {@code stride}-th sighting's centre. When it is full,
 * every second point goes and the stride doubles, so the points stay evenly spread over the track's
 * whole life in constant memory, however long a parked car stays.
 *
 * @param points kept centres, oldest first
 * @param stride sightings between kept points
 * @param last the latest centre (not always a kept point)
 */
public record Path(List<PathPoint> points, int stride, PathPoint last) {

  public static final int MAX_POINTS = 16;

  public Path {
    points = List.copyOf(points);
    if (stride < 1) throw new IllegalArgumentException("path stride must be at least 1, not " + stride);
  }

  static Path start(PathPoint first) {
    return new Path(List.of(first), 1, first);
  }

  /** With the sighting number {@code hit} (1 = first) at {@code p}. */
  Path with(int hit, PathPoint p) {
    if ((hit - 1) % stride != 0) return new Path(points, stride, p);
    List<PathPoint> next = new ArrayList<>(points);
    next.add(p);
    int s = stride;
    if (next.size() > MAX_POINTS) {
      List<PathPoint> thinned = new ArrayList<>(next.size() / 2 + 1);
      for (int i = 0; i < next.size(); i += 2) thinned.add(next.get(i));
      next = thinned;
      s *= 2;
    }
    return new Path(next, s, p);
  }

  /** The kept points and, if it is not one of them, the latest. */
  public List<PathPoint> summary() {
    if (points.get(points.size() - 1).equals(last)) return points;
    List<PathPoint> out = new ArrayList<>(points);
    out.add(last);
    return out;
  }
}
