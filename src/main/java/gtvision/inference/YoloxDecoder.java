package gtvision.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Turns the raw YOLOX output of one frame ({@code [cells, 5 + classes]}, scores already
 * sigmoid-activated) into detections in source pixels: grid decoding, class-aware thresholding
 * (score = objectness x class score, so one box may yield two classes, as in the reference) and
 * per-class greedy NMS.
 */
public final class YoloxDecoder {
  private static final int[] STRIDES = {8, 16, 32};

  private final int inputHeight;
  private final int inputWidth;
  private final List<String> classNames;
  private final double nmsIou;
  // Precomputed per cell: grid x, grid y, stride. Same for every frame of a model.
  private final float[] gridX;
  private final float[] gridY;
  private final float[] stride;

  public YoloxDecoder(int inputHeight, int inputWidth, List<String> classNames, double nmsIou) {
    this.inputHeight = inputHeight;
    this.inputWidth = inputWidth;
    this.classNames = List.copyOf(classNames);
    this.nmsIou = nmsIou;
    int cells = cells(inputHeight, inputWidth);
    gridX = new float[cells];
    gridY = new float[cells];
    stride = new float[cells];
    int k = 0;
    for (int s : STRIDES) {
      int gh = inputHeight / s;
      int gw = inputWidth / s;
      for (int y = 0; y < gh; y++) {
        for (int x = 0; x < gw; x++) {
          gridX[k] = x;
          gridY[k] = y;
          stride[k] = s;
          k++;
        }
      }
    }
  }

  public static int cells(int inputHeight, int inputWidth) {
    int n = 0;
    for (int s : STRIDES) n += (inputHeight / s) * (inputWidth / s);
    return n;
  }

  public int cells() {
    return gridX.length;
  }

  /**
   * @param out the frame's rows, {@code cells() * (5 + classes)} floats
   * @param ratio letterbox ratio (input pixels per source pixel)
   * @param wanted classes to keep; empty keeps all
   */
  public List<Detection> decode(
      float[] out, double ratio, double threshold, Set<String> wanted, int imageWidth, int imageHeight) {
    int nc = classNames.size();
    int row = 5 + nc;
    if (out.length != gridX.length * row) {
      throw new IllegalArgumentException(
          "model output has " + out.length + " values, expected " + gridX.length + " x " + row);
    }
    boolean[] keepClass = new boolean[nc];
    for (int c = 0; c < nc; c++) keepClass[c] = wanted.isEmpty() || wanted.contains(classNames.get(c));

    List<List<Candidate>> perClass = new ArrayList<>(nc);
    for (int c = 0; c < nc; c++) perClass.add(null);
    for (int i = 0; i < gridX.length; i++) {
      int o = i * row;
      float obj = out[o + 4];
      if (obj < threshold) continue; // class scores are <= 1, so no class can pass
      for (int c = 0; c < nc; c++) {
        if (!keepClass[c]) continue;
        float score = obj * out[o + 5 + c];
        if (score < threshold) continue;
        float s = stride[i];
        double cx = (out[o] + gridX[i]) * s;
        double cy = (out[o + 1] + gridY[i]) * s;
        double w = Math.exp(out[o + 2]) * s;
        double h = Math.exp(out[o + 3]) * s;
        BoundingBox box =
            new BoundingBox(
                    (cx - w / 2) / ratio, (cy - h / 2) / ratio, (cx + w / 2) / ratio, (cy + h / 2) / ratio)
                .clip(imageWidth, imageHeight);
        List<Candidate> list = perClass.get(c);
        if (list == null) perClass.set(c, list = new ArrayList<>());
        list.add(new Candidate(score, box));
      }
    }
    List<Detection> result = new ArrayList<>();
    for (int c = 0; c < nc; c++) {
      List<Candidate> list = perClass.get(c);
      if (list == null) continue;
      for (Candidate k : nms(list, nmsIou)) {
        result.add(new Detection(classNames.get(c), k.score, k.box));
      }
    }
    result.sort(Comparator.comparingDouble(Detection::confidence).reversed());
    return result;
  }

  private static List<Candidate> nms(List<Candidate> candidates, double iouThreshold) {
    candidates.sort(Comparator.comparingDouble((Candidate k) -> k.score).reversed());
    List<Candidate> kept = new ArrayList<>();
    outer:
    for (Candidate k : candidates) {
      for (Candidate q : kept) {
        if (q.box.iou(k.box) > iouThreshold) continue outer;
      }
      kept.add(k);
    }
    return kept;
  }

  public int inputHeight() {
    return inputHeight;
  }

  public int inputWidth() {
    return inputWidth;
  }

  private record Candidate(float score, BoundingBox box) {}
}
