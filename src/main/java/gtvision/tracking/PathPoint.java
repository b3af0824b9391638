package gtvision.tracking;

import java.time.Instant;

/** A track's box centre, in source-image pixels, at a capture time. */
public record PathPoint(Instant at, double x, double y) {}
