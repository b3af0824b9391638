package gtvision.tracking;

import java.util.Arrays;

/**
 * Mean and covariance of a box's constant-velocity Kalman filter: state
 * {@code [cx, cy, a, h, vcx, vcy, va, vh]} (centre, aspect ratio w/h, height, and their velocities per
 * second); covariance row-major 8x8. A value: the arrays are copied in and out.
 */
public record KalmanState(double[] mean, double[] covariance) {

  public KalmanState {
    if (mean == null || mean.length != KalmanBox.DIM) {
      throw new IllegalArgumentException("Kalman mean must have " + KalmanBox.DIM + " values");
    }
    if (covariance == null || covariance.length != KalmanBox.DIM * KalmanBox.DIM) {
      throw new IllegalArgumentException("Kalman covariance must have " + KalmanBox.DIM * KalmanBox.DIM + " values");
    }
    mean = mean.clone();
    covariance = covariance.clone();
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] covariance() {
    return covariance.clone();
  }

  // Package-private reads without copying, for the filter's arithmetic.
  double m(int i) {
    return mean[i];
  }

  double p(int row, int col) {
    return covariance[row * KalmanBox.DIM + col];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KalmanState k && Arrays.equals(mean, k.mean) && Arrays.equals(covariance, k.covariance);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(covariance);
  }

  @Override
  public String toString() {
    return "KalmanState" + Arrays.toString(mean);
  }
}
