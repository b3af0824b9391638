package gtvision.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Locale;

/** ONNX Runtime session options shared by the object detector and the plate OCR models: device and intra-op threads. */
public final class OnnxSessions {
  private OnnxSessions() {}

  /** Optimised session options on {@code device} (cpu, cuda, cuda:N) with {@code intraOpThreads} (0: ORT default). */
  public static OrtSession.SessionOptions options(String device, int intraOpThreads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (intraOpThreads > 0) options.setIntraOpNumThreads(intraOpThreads);
    String d = device.trim().toLowerCase(Locale.ROOT);
    if (d.startsWith("cuda")) {
      int id = d.contains(":") ? Integer.parseInt(d.substring(d.indexOf(':') + 1)) : 0;
      try {
        options.addCUDA(id);
      } catch (OrtException | UnsatisfiedLinkError e) {
        options.close();
        throw new ModelLoadException(
            "device " + device + " requested but this ONNX Runtime has no usable CUDA provider ("
                + e.getMessage() + "); deploy the onnxruntime_gpu build on GPU nodes or set GTV_INFERENCE_DEVICE=cpu",
            e);
      }
    } else if (!d.equals("cpu")) {
      options.close();
      throw new ModelLoadException("unknown inference device '" + device + "' (cpu, cuda or cuda:N)");
    }
    return options;
  }
}
