package gtvision.inference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import com.typesafe.config.Config;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/** GTV_INFERENCE_DEVICE=cuda on a build or host without CUDA (CI): a failed worker with the reason, not a crash. */
class InferenceDeviceTest {

  @Test
  void cudaAskedForWithoutCudaFailsTheWorkerWithAClearReasonAndTheRouterStillAnswers() throws Exception {
    // Built with -Pgpu on a CUDA host the worker would rightly load: nothing to check there.
    assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "CUDA is available here");
    Config c = InferenceStartTest.config(String.join("\n",
        "gtv.inference.mode = gpu",
        "gtv.inference.plates.enabled = false",
        "gtv.inference.gpu.device = cuda",
        "gtv.inference.gpu.load-retry-min = 200ms",
        "gtv.inference.gpu.load-retry-max = 1s"));
    ActorTestKit kit = ActorTestKit.create(c);
    try {
      Inference.Handle h = Inference.start(kit.system(), c, new SimpleMeterRegistry());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String detail = "";
      while (System.nanoTime() < deadline) {
        detail = h.health().get().workers().stream().filter(w -> w.state() == WorkerStatus.State.FAILED)
            .map(HealthSnapshot.Worker::detail).findFirst().orElse("");
        if (!detail.isEmpty()) break;
        Thread.sleep(50);
      }
      assertTrue(detail.contains("device cuda requested but this ONNX Runtime has no usable CUDA provider"), detail);
      assertTrue(detail.contains("GTV_INFERENCE_DEVICE=cpu"), detail);
      assertNotEquals("UP", h.health().get().providers().get("gpu"));

      TestProbe<InferenceRouter.Reply> probe = kit.createTestProbe();
      h.router().tell(new InferenceRouter.Detect(
          List.of(SharedData.imageBytes("eagle.jpg")), DetectOptions.DEFAULT, Optional.of("cam-1"), probe.ref()));
      InferenceRouter.Reply reply = probe.receiveMessage(Duration.ofSeconds(30));
      assertFalse(reply instanceof InferenceRouter.Detected, "answered without a detector: " + reply);
    } finally {
      kit.shutdownTestKit();
    }
  }
}
