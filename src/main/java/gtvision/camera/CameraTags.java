package gtvision.camera;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Camera events are tagged in a fixed number of slices so that several projection instances share
 * the work. The number is fixed for the life of a journal: changing it re-tags new events only.
 */
public final class CameraTags {
  public static final int SLICES = 8;
  public static final List<String> ALL =
      IntStream.range(0, SLICES).mapToObj(i -> "camera-" + i).toList();

  private CameraTags() {}

  public static String forCamera(String cameraId) {
    return ALL.get(Math.floorMod(cameraId.hashCode(), SLICES));
  }
}
