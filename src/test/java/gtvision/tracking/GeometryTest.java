package gtvision.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Points in polygons and moves across segments, on picture coordinates (y grows downwards). */
class GeometryTest {
  private static final List<List<Double>> SQUARE =
      List.of(List.of(0.2, 0.2), List.of(0.8, 0.2), List.of(0.8, 0.8), List.of(0.2, 0.8));
  /** A "U": the notch between its arms (0.4..0.6 wide, down to 0.5) is outside. */
  private static final List<List<Double>> U = List.of(List.of(0.0, 0.0), List.of(0.4, 0.0), List.of(0.4, 0.5),
      List.of(0.6, 0.5), List.of(0.6, 0.0), List.of(1.0, 0.0), List.of(1.0, 1.0), List.of(0.0, 1.0));

  @Test
  void aPointIsInsideAConvexPolygonOnlyWithinItsEdges() {
    assertTrue(Geometry.inside(0.5, 0.5, SQUARE));
    assertFalse(Geometry.inside(0.1, 0.5, SQUARE));
    assertFalse(Geometry.inside(0.5, 0.9, SQUARE));
    assertFalse(Geometry.inside(0.9, 0.9, SQUARE));
  }

  @Test
  void theNotchOfAConcavePolygonIsOutside() {
    assertFalse(Geometry.inside(0.5, 0.25, U), "in the notch");
    assertTrue(Geometry.inside(0.2, 0.25, U), "in the left arm");
    assertTrue(Geometry.inside(0.5, 0.75, U), "below the notch");
  }

  @Test
  void theRightOfALineDrawnLeftToRightIsBelowItOnThePicture() {
    assertEquals(1, Geometry.side(0, 0.5, 1, 0.5, 0.3, 0.9));
    assertEquals(-1, Geometry.side(0, 0.5, 1, 0.5, 0.3, 0.1));
    assertEquals(-1, Geometry.side(0, 0.5, 1, 0.5, 0.3, 0.5), "on the line counts as its left");
  }

  @Test
  void aMoveAcrossALineHasTheDirectionOfTheSideItEndsOn() {
    assertEquals(1, Geometry.crossing(0.5, 0.4, 0.5, 0.6, 0, 0.5, 1, 0.5), "down across left-to-right: in");
    assertEquals(-1, Geometry.crossing(0.5, 0.6, 0.5, 0.4, 0, 0.5, 1, 0.5), "up: out");
    assertEquals(-1, Geometry.crossing(0.5, 0.4, 0.5, 0.6, 1, 0.5, 0, 0.5), "the same move, line drawn the other way");
    assertEquals(0, Geometry.crossing(0.5, 0.1, 0.5, 0.3, 0, 0.5, 1, 0.5), "stays above");
  }

  @Test
  void aMoveBeyondTheSegmentsEndDoesNotCross() {
    assertEquals(0, Geometry.crossing(0.9, 0.4, 0.9, 0.6, 0.2, 0.5, 0.6, 0.5));
    assertEquals(1, Geometry.crossing(0.5, 0.4, 0.5, 0.6, 0.2, 0.5, 0.6, 0.5), "within its ends it does");
    assertEquals(1, Geometry.crossing(0.3, 0.2, 0.7, 0.8, 0.2, 0.5, 0.6, 0.5), "a slanted move through it");
  }

  @Test
  void stoppingOnALineAndGoingOnCrossesItOnce() {
    int first = Geometry.crossing(0.5, 0.4, 0.5, 0.5, 0, 0.5, 1, 0.5);
    int second = Geometry.crossing(0.5, 0.5, 0.5, 0.6, 0, 0.5, 1, 0.5);
    assertEquals(0, first, "onto the line: still on its left");
    assertEquals(1, second);
  }
}
