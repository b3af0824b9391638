package gtvision.tracking;

import gtvision.inference.BoundingBox;

/**
 * The SORT / ByteTrack constant-velocity Kalman filter on a box, with the time step taken from the
 * frames' capture times: cameras send about one frame a second, irregularly (motion gating skips
 * frames), so a step is "seconds since the last frame", not "one frame".
 *
 * <p>Noise is relative to the box height, as in ByteTrack, so near and far objects are treated
 * alike. ByteTrack's weights are per frame at 30 fps; at 1 fps an object's velocity changes far more
 * between frames (a car brakes or turns within a second), so the velocity weight is larger here.
 */
final class KalmanBox {

  static final int DIM = 8;
  private static final int M = 4;

  // Standard deviations relative to the box height: position per sqrt(second), velocity per
  // second per sqrt(second). Tuned on the synthetic scenes (SceneGenerator) at 1 fps.
  private static final double POSITION_WEIGHT = 1.0 / 20;
  private static final double VELOCITY_WEIGHT = 1.0 / 10;
  // Aspect ratio noise is absolute: it barely changes for a rigid object.
  private static final double ASPECT_POSITION = 1e-2;
  private static final double ASPECT_VELOCITY = 1e-5;
  private static final double ASPECT_MEASUREMENT = 1e-1;

  private KalmanBox() {}

  /** A new track's filter: the box as position, zero velocity with a wide uncertainty. */
  static KalmanState initiate(BoundingBox box) {
    double[] z = measurement(box);
    double[] mean = new double[DIM];
    System.arraycopy(z, 0, mean, 0, M);
    double h = z[3];
    double[] std = {
        2 * POSITION_WEIGHT * h, 2 * POSITION_WEIGHT * h, ASPECT_POSITION, 2 * POSITION_WEIGHT * h,
        10 * VELOCITY_WEIGHT * h, 10 * VELOCITY_WEIGHT * h, ASPECT_VELOCITY, 10 * VELOCITY_WEIGHT * h};
    double[] cov = new double[DIM * DIM];
    for (int i = 0; i < DIM; i++) cov[i * DIM + i] = std[i] * std[i];
    return new KalmanState(mean, cov);
  }

  /** The state {@code dtSeconds} later: x' = F x, P' = F P F^T + Q dt. */
  static KalmanState predict(KalmanState s, double dtSeconds) {
    if (!(dtSeconds >= 0) || Double.isInfinite(dtSeconds)) {
      throw new IllegalArgumentException("Kalman time step must be a finite number >= 0, not " + dtSeconds);
    }
    if (dtSeconds == 0) return s;
    double[] x = s.mean();
    double[] p = s.covariance();
    double[] mean = new double[DIM];
    for (int i = 0; i < M; i++) {
      mean[i] = x[i] + dtSeconds * x[i + M];
      mean[i + M] = x[i + M];
    }
    // F P F^T with F = [[I, dt I], [0, I]], written out per 4x4 block (A B; C D):
    // A' = A + dt (B + C) + dt^2 D, B' = B + dt D, C' = C + dt D, D' = D.
    double[] out = new double[DIM * DIM];
    for (int i = 0; i < M; i++) {
      for (int j = 0; j < M; j++) {
        double a = p[i * DIM + j];
        double b = p[i * DIM + j + M];
        double c = p[(i + M) * DIM + j];
        double d = p[(i + M) * DIM + j + M];
        out[i * DIM + j] = a + dtSeconds * (b + c) + dtSeconds * dtSeconds * d;
        out[i * DIM + j + M] = b + dtSeconds * d;
        out[(i + M) * DIM + j] = c + dtSeconds * d;
        out[(i + M) * DIM + j + M] = d;
      }
    }
    double h = x[3];
    double[] std = {
        POSITION_WEIGHT * h, POSITION_WEIGHT * h, ASPECT_POSITION, POSITION_WEIGHT * h,
        VELOCITY_WEIGHT * h, VELOCITY_WEIGHT * h, ASPECT_VELOCITY, VELOCITY_WEIGHT * h};
    for (int i = 0; i < DIM; i++) out[i * DIM + i] += std[i] * std[i] * dtSeconds;
    return new KalmanState(mean, out);
  }

  /** The state corrected by a measured box. */
  static KalmanState update(KalmanState s, BoundingBox box) {
    double[] z = measurement(box);
    double[] x = s.mean();
    double[] p = s.covariance();
    double h = x[3];
    double[] r = {POSITION_WEIGHT * h, POSITION_WEIGHT * h, ASPECT_MEASUREMENT, POSITION_WEIGHT * h};
    // S = H P H^T + R (the top-left block), PHt = P H^T (the first four columns).
    double[] sm = new double[M * M];
    for (int i = 0; i < M; i++) {
      for (int j = 0; j < M; j++) sm[i * M + j] = p[i * DIM + j];
      sm[i * M + i] += r[i] * r[i];
    }
    double[] sInv = invert4(sm);
    // K = PHt S^-1 (8x4)
    double[] k = new double[DIM * M];
    for (int i = 0; i < DIM; i++) {
      for (int j = 0; j < M; j++) {
        double v = 0;
        for (int l = 0; l < M; l++) v += p[i * DIM + l] * sInv[l * M + j];
        k[i * M + j] = v;
      }
    }
    double[] innovation = new double[M];
    for (int i = 0; i < M; i++) innovation[i] = z[i] - x[i];
    double[] mean = new double[DIM];
    for (int i = 0; i < DIM; i++) {
      double v = x[i];
      for (int j = 0; j < M; j++) v += k[i * M + j] * innovation[j];
      mean[i] = v;
    }
    // P' = P - K S K^T = P - K PHt^T (as K S = PHt)
    double[] out = new double[DIM * DIM];
    for (int i = 0; i < DIM; i++) {
      for (int j = 0; j < DIM; j++) {
        double v = p[i * DIM + j];
        for (int l = 0; l < M; l++) v -= k[i * M + l] * p[j * DIM + l];
        out[i * DIM + j] = v;
      }
    }
    // Keep it exactly symmetric: rounding otherwise drifts it over thousands of steps.
    for (int i = 0; i < DIM; i++) {
      for (int j = i + 1; j < DIM; j++) {
        double avg = (out[i * DIM + j] + out[j * DIM + i]) / 2;
        out[i * DIM + j] = avg;
        out[j * DIM + i] = avg;
      }
    }
    return new KalmanState(mean, out);
  }

  /** The box the state stands for. */
  static BoundingBox box(KalmanState s) {
    double cx = s.m(0);
    double cy = s.m(1);
    double h = Math.max(s.m(3), 1e-6);
    double w = Math.max(s.m(2), 1e-6) * h;
    return new BoundingBox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
  }

  private static double[] measurement(BoundingBox b) {
    double w = b.width();
    double h = b.height();
    return new double[] {(b.x1() + b.x2()) / 2, (b.y1() + b.y2()) / 2, w / h, h};
  }

  // Gauss-Jordan with partial pivoting; S is symmetric positive definite, so it never fails in
  // practice, but a singular matrix is reported rather than silently producing NaNs.
  private static double[] invert4(double[] a) {
    double[] m = a.clone();
    double[] inv = new double[M * M];
    for (int i = 0; i < M; i++) inv[i * M + i] = 1;
    for (int col = 0; col < M; col++) {
      int pivot = col;
      for (int r = col + 1; r < M; r++) {
        if (Math.abs(m[r * M + col]) > Math.abs(m[pivot * M + col])) pivot = r;
      }
      double pv = m[pivot * M + col];
      if (Math.abs(pv) < 1e-300) throw new IllegalStateException("Kalman innovation covariance is singular");
      if (pivot != col) {
        swapRows(m, pivot, col);
        swapRows(inv, pivot, col);
      }
      for (int j = 0; j < M; j++) {
        m[col * M + j] /= pv;
        inv[col * M + j] /= pv;
      }
      for (int r = 0; r < M; r++) {
        if (r == col) continue;
        double f = m[r * M + col];
        if (f == 0) continue;
        for (int j = 0; j < M; j++) {
          m[r * M + j] -= f * m[col * M + j];
          inv[r * M + j] -= f * inv[col * M + j];
        }
      }
    }
    return inv;
  }

  private static void swapRows(double[] m, int a, int b) {
    for (int j = 0; j < M; j++) {
      double t = m[a * M + j];
      m[a * M + j] = m[b * M + j];
      m[b * M + j] = t;
    }
  }
}
