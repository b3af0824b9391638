package gtvision.tracking;

import java.util.Arrays;

/**
 * Optimal rectangular assignment with a cost gate: the Hungarian algorithm in its shortest
 * augmenting path form (Jonker-Volgenant's O(n^3) formulation with row and column potentials).
 *
 * <p>Greedy matching by best IoU first is not enough for crossings: two tracks meeting two
 * detections can take each other's detection when one pair overlaps a little more, and at 1 fps
 * boxes move far between frames, which makes such ties common. The optimum is cheap at camera sizes
 * (tens of tracks).
 *
 * <p>The gate follows lapjv's {@code cost_limit}: the matrix is extended so that leaving a row and a
 * column unassigned costs {@code maxCost} together; pairs above {@code maxCost} are never assigned.
 */
public final class Assignment {

  private Assignment() {}

  /**
   * @param cost rows x columns, any finite values (rows may differ in count from columns)
   * @param maxCost pairs costing more stay unassigned
   * @return for each row the assigned column, or -1
   */
  public static int[] solve(double[][] cost, double maxCost) {
    if (cost == null) throw new IllegalArgumentException("cost matrix is null");
    if (!Double.isFinite(maxCost)) throw new IllegalArgumentException("maxCost must be finite, not " + maxCost);
    int n = cost.length;
    int m = n == 0 ? 0 : cost[0].length;
    int[] result = new int[n];
    Arrays.fill(result, -1);
    if (n == 0 || m == 0) return result;
    double maxAbs = Math.abs(maxCost);
    for (int i = 0; i < n; i++) {
      if (cost[i] == null || cost[i].length != m) {
        throw new IllegalArgumentException("cost matrix row " + i + " must have " + m + " columns");
      }
      for (int j = 0; j < m; j++) {
        if (!Double.isFinite(cost[i][j])) {
          throw new IllegalArgumentException("cost[" + i + "][" + j + "] is not finite: " + cost[i][j]);
        }
        maxAbs = Math.max(maxAbs, Math.abs(cost[i][j]));
      }
    }
    // Pairs outside the gate are never assigned, so the optimum splits over the connected components
    // of the graph of feasible pairs; solving each alone keeps a camera's usual frame (every object
    // overlapping only its own track) at a few tiny problems instead of one of size rows + columns.
    int[] parent = new int[n + m];
    for (int k = 0; k < n + m; k++) parent[k] = k;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        if (cost[i][j] <= maxCost) union(parent, i, n + j);
      }
    }
    int[] rows = new int[n];
    int[] cols = new int[m];
    boolean[] done = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (done[i]) continue;
      int root = find(parent, i);
      int nr = 0;
      int nc = 0;
      for (int r = i; r < n; r++) {
        if (!done[r] && find(parent, r) == root) {
          done[r] = true;
          rows[nr++] = r;
        }
      }
      for (int j = 0; j < m; j++) if (find(parent, n + j) == root) cols[nc++] = j;
      if (nc == 0) continue;
      if (nr == 1 && nc == 1) {
        result[rows[0]] = cols[0];
        continue;
      }
      solveComponent(cost, maxCost, maxAbs, rows, nr, cols, nc, result);
    }
    return result;
  }

  private static void solveComponent(double[][] cost, double maxCost, double maxAbs, int[] rows, int n,
      int[] cols, int m, int[] result) {
    // A cost no solution with it can beat the all-unassigned one, which always exists.
    double forbidden = 1 + 4 * (n + m) * (maxAbs + 1);
    int size = n + m;
    double[][] c = new double[size][size];
    for (int i = 0; i < size; i++) Arrays.fill(c[i], forbidden);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double v = cost[rows[i]][cols[j]];
        if (v <= maxCost) c[i][j] = v;
      }
      c[i][m + i] = maxCost / 2;
    }
    for (int j = 0; j < m; j++) {
      c[n + j][j] = maxCost / 2;
      for (int k = 0; k < n; k++) c[n + j][m + k] = 0;
    }
    int[] rowOf = square(c);
    for (int j = 0; j < m; j++) {
      int i = rowOf[j];
      if (i < n && c[i][j] < forbidden) result[rows[i]] = cols[j];
    }
  }

  private static int find(int[] parent, int k) {
    while (parent[k] != k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  }

  private static void union(int[] parent, int a, int b) {
    parent[find(parent, a)] = find(parent, b);
  }

  // Square Hungarian (1-based potentials u, v; way[] holds the augmenting path). Returns, for each
  // column, its row.
  private static int[] square(double[][] a) {
    int n = a.length;
    double[] u = new double[n + 1];
    double[] v = new double[n + 1];
    int[] p = new int[n + 1];
    int[] way = new int[n + 1];
    double[] minv = new double[n + 1];
    boolean[] used = new boolean[n + 1];
    for (int i = 1; i <= n; i++) {
      p[0] = i;
      int j0 = 0;
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      Arrays.fill(used, false);
      do {
        used[j0] = true;
        int i0 = p[j0];
        double delta = Double.POSITIVE_INFINITY;
        int j1 = 0;
        double[] row = a[i0 - 1];
        for (int j = 1; j <= n; j++) {
          if (used[j]) continue;
          double cur = row[j - 1] - u[i0] - v[j];
          if (cur < minv[j]) {
            minv[j] = cur;
            way[j] = j0;
          }
          if (minv[j] < delta) {
            delta = minv[j];
            j1 = j;
          }
        }
        for (int j = 0; j <= n; j++) {
          if (used[j]) {
            u[p[j]] += delta;
            v[j] -= delta;
          } else {
            minv[j] -= delta;
          }
        }
        j0 = j1;
      } while (p[j0] != 0);
      do {
        int j1 = way[j0];
        p[j0] = p[j1];
        j0 = j1;
      } while (j0 != 0);
    }
    int[] rowOf = new int[n];
    for (int j = 1; j <= n; j++) rowOf[j - 1] = p[j] - 1;
    return rowOf;
  }
}
