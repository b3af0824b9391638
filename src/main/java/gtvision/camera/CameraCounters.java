package gtvision.camera;

import gtvision.CborSerializable;

/** Running totals for one camera since it was registered. */
public record CameraCounters(long framesSeen, long framesAnalysed, long detections)
    implements CborSerializable {

  public static final CameraCounters ZERO = new CameraCounters(0, 0, 0);
}
