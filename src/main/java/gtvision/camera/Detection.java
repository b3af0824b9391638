package gtvision.camera;

import gtvision.CborSerializable;
import java.util.List;

/** One object seen in a frame: class, confidence 0..1, box [x1, y1, x2, y2] in source pixels. */
public record Detection(String className, double confidence, List<Double> bbox, String plate)
    implements CborSerializable {}
