package gtvision.camera;

/** WGS84 position of a camera. */
public record Location(double lat, double lon) {}
