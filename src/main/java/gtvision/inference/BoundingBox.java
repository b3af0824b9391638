package gtvision.inference;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Axis-aligned box in source-image pixels. Serialized as the JSON array {@code [x1, y1, x2, y2]},
 * the shape the HTTP API and the dashboard canvas use.
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"x1", "y1", "x2", "y2"})
public record BoundingBox(double x1, double y1, double x2, double y2) {

  @JsonCreator
  public BoundingBox {}

  public double width() {
    return Math.max(0, x2 - x1);
  }

  public double height() {
    return Math.max(0, y2 - y1);
  }

  public double area() {
    return width() * height();
  }

  /** Intersection over union; 0 for disjoint or empty boxes. */
  public double iou(BoundingBox o) {
    double iw = Math.min(x2, o.x2) - Math.max(x1, o.x1);
    double ih = Math.min(y2, o.y2) - Math.max(y1, o.y1);
    if (iw <= 0 || ih <= 0) return 0;
    double inter = iw * ih;
    return inter / (area() + o.area() - inter);
  }

  public boolean contains(double x, double y) {
    return x >= x1 && x <= x2 && y >= y1 && y <= y2;
  }

  public BoundingBox clip(int width, int height) {
    return new BoundingBox(
        clamp(x1, width), clamp(y1, height), clamp(x2, width), clamp(y2, height));
  }

  private static double clamp(double v, int max) {
    return Math.max(0, Math.min(max, v));
  }
}
