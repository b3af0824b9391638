package gtvision.tracking;

import java.util.List;

/**
 * Plane geometry for zones and lines, on points given as [x, y] (any unit, the same for all arguments;
 * the camera uses fractions of the picture, y growing downwards as in images).
 */
public final class Geometry {
  private Geometry() {}

  /**
   * Whether (x, y) lies inside the polygon (even-odd rule, a ray cast to the right). A point exactly on
   * an edge may go either way, but always the same way for the same input, which is what replay needs.
   */
  public static boolean inside(double x, double y, List<List<Double>> polygon) {
    boolean in = false;
    int n = polygon.size();
    for (int i = 0, j = n - 1; i < n; j = i++) {
      double xi = polygon.get(i).get(0);
      double yi = polygon.get(i).get(1);
      double xj = polygon.get(j).get(0);
      double yj = polygon.get(j).get(1);
      if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
  }

  /**
   * Which side of the directed line a -> b the point p is on: +1 on its right as seen on a picture whose
   * y grows downwards (the cross product (b - a) x (p - a) is positive), -1 on its left. A point exactly
   * on the line counts as left, so an object that stops on a line and goes on crosses it exactly once.
   */
  public static int side(double ax, double ay, double bx, double by, double px, double py) {
    return cross(ax, ay, bx, by, px, py) > 0 ? 1 : -1;
  }

  /**
   * How the move p -> q crosses the segment a -> b: +1 from its left to its right (see {@link #side}),
   * -1 from its right to its left, 0 when it does not cross (it changes side beyond the segment's ends,
   * or stays on one side).
   */
  public static int crossing(double px, double py, double qx, double qy, double ax, double ay, double bx, double by) {
    int before = side(ax, ay, bx, by, px, py);
    int after = side(ax, ay, bx, by, qx, qy);
    if (before == after) return 0;
    // The move changed side of the infinite line; it crossed the segment when a and b are not both
    // strictly on one side of the move.
    double da = cross(px, py, qx, qy, ax, ay);
    double db = cross(px, py, qx, qy, bx, by);
    if ((da > 0 && db > 0) || (da < 0 && db < 0)) return 0;
    return after;
  }

  private static double cross(double ax, double ay, double bx, double by, double px, double py) {
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  }
}
