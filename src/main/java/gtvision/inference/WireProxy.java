package gtvision.inference;

import io.micrometer.core.instrument.DistributionSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Stands in for one inference worker on another node. Each frame of a request is re-encoded (on the
 * inference dispatcher) to the long side the request needs and sent as a request of its own, so a
 * remote message carries one bounded frame whatever the batch size; the worker's micro-batcher puts
 * the frames together again. The replies are mapped back to source pixels and answered as one.
 *
 * <p>Plates on a worker that reads them on vehicle crops (YOLOX) take two steps: the frame crosses
 * at the detector's input size with plates off, then full-resolution crops of the vehicles found
 * (bounded in number and pixels) cross in one {@link InferenceWorker.ReadPlates}. Plate text needs
 * the resolution only where the vehicles are, so a frame costs a fraction of sending it whole.
 */
final class WireProxy {
  private WireProxy() {}

  private enum WorkerGone implements InferenceWorker.Command {
    INSTANCE
  }

  static Behavior<InferenceWorker.Command> create(
      ActorRef<InferenceWorker.Command> worker, boolean platesOnCrops, FrameWire.Settings settings, Executor executor,
      DistributionSummary wireBytes) {
    return Behaviors.setup(ctx -> {
      ctx.watchWith(worker, WorkerGone.INSTANCE);
      Scheduler scheduler = ctx.getSystem().scheduler();
      return Behaviors.receive(InferenceWorker.Command.class)
          .onMessage(InferenceWorker.Detect.class, m -> {
            forward(m, new Remote(worker, platesOnCrops, settings, executor, wireBytes, scheduler));
            return Behaviors.same();
          })
          .onMessageEquals(WorkerGone.INSTANCE, Behaviors::stopped)
          .onAnyMessage(m -> {
            worker.tell(m);
            return Behaviors.same();
          })
          .build();
    });
  }

  /** The worker and what it takes to reach it. */
  private record Remote(
      ActorRef<InferenceWorker.Command> worker, boolean platesOnCrops, FrameWire.Settings settings, Executor executor,
      DistributionSummary wireBytes, Scheduler scheduler) {

    CompletableFuture<InferenceWorker.Reply> ask(
        Function<ActorRef<InferenceWorker.Reply>, InferenceWorker.Command> message) {
      return AskPattern.<InferenceWorker.Command, InferenceWorker.Reply>ask(
              worker, message::apply, settings.timeout(), scheduler)
          .toCompletableFuture();
    }
  }

  private static void forward(InferenceWorker.Detect m, Remote remote) {
    List<CompletableFuture<InferenceWorker.Reply>> parts = new ArrayList<>();
    boolean twoSteps = m.options().detectPlates() && remote.platesOnCrops();
    for (byte[] image : m.images()) {
      parts.add(twoSteps ? withPlateCrops(image, m.options(), remote) : whole(image, m.options(), remote));
    }
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
      if (failure != null) {
        Throwable cause = unwrap(failure);
        // No answer from the worker: the router's own timeout reports it (and falls back).
        if (cause instanceof TimeoutException) return;
        InferenceWorker.FailureKind kind = cause instanceof InvalidImageException
            ? InferenceWorker.FailureKind.INVALID_INPUT : InferenceWorker.FailureKind.ERROR;
        m.replyTo().tell(new InferenceWorker.Failed(kind, cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        return;
      }
      List<DetectionResult> results = new ArrayList<>();
      for (CompletableFuture<InferenceWorker.Reply> part : parts) {
        InferenceWorker.Reply reply = part.join();
        if (!(reply instanceof InferenceWorker.Detected d)) {
          m.replyTo().tell(reply);
          return;
        }
        results.addAll(d.results());
      }
      m.replyTo().tell(new InferenceWorker.Detected(results));
    });
  }

  /** The frame at the side the request needs; the worker does all of it. */
  private static CompletableFuture<InferenceWorker.Reply> whole(byte[] image, DetectOptions options, Remote remote) {
    FrameWire.Settings settings = remote.settings();
    int side = settings.side(options);
    return CompletableFuture
        .supplyAsync(() -> wireFrame(image, side, settings), remote.executor())
        .thenCompose(frame -> {
          remote.wireBytes().record(frame.bytes().length);
          return detect(frame, options, remote);
        });
  }

  /** The frame at the detector's side without plates, then the plates on crops of its vehicles. */
  private static CompletableFuture<InferenceWorker.Reply> withPlateCrops(
      byte[] image, DetectOptions options, Remote remote) {
    FrameWire.Settings settings = remote.settings();
    DetectOptions noPlates = new DetectOptions(false, options.classes(), options.minConfidence(), options.notAfter());
    return CompletableFuture
        .supplyAsync(() -> wireFrame(image, settings.detectSide(), settings), remote.executor())
        .thenCompose(frame -> detect(frame, noPlates, remote).whenComplete((reply, failure) -> {
          // The frame crossed (or was sent) whatever came back; the crops are counted with it below.
          if (failure != null) remote.wireBytes().record(frame.bytes().length);
        }).thenCompose(reply -> {
          if (!(reply instanceof InferenceWorker.Detected d) || d.results().size() != 1) {
            remote.wireBytes().record(frame.bytes().length);
            return CompletableFuture.completedFuture(reply);
          }
          DetectionResult result = d.results().get(0);
          long start = System.nanoTime();
          // The source is decoded again rather than kept through the round trip: a frame in flight
          // holds its JPEG bytes only, not megabytes of pixels.
          return CompletableFuture
              .supplyAsync(() -> PlateCrops.cut(image, result, settings.maxCrops(), settings.cropMaxPixels(),
                  settings.jpegQuality(), settings.maxFrameBytes(), settings.maxPixels()), remote.executor())
              .thenCompose(crops -> {
                remote.wireBytes().record(frame.bytes().length + crops.bytes());
                if (crops.crops().isEmpty()) return CompletableFuture.completedFuture(reply);
                return remote.ask(replyTo -> new InferenceWorker.ReadPlates(crops.crops(), replyTo))
                    .thenApply(read -> read instanceof InferenceWorker.PlatesRead p
                        ? new InferenceWorker.Detected(
                            List.of(crops.attach(result, p.plates(), (System.nanoTime() - start) / 1e6)))
                        : read);
              });
        }));
  }

  private static WireFrame wireFrame(byte[] image, int side, FrameWire.Settings settings) {
    return WireFrame.of(image, side, settings.jpegQuality(), settings.passThroughBytes(), settings.maxFrameBytes(),
        settings.maxPixels());
  }

  /** One frame to the worker; its result back in source pixels. */
  private static CompletableFuture<InferenceWorker.Reply> detect(WireFrame frame, DetectOptions options, Remote remote) {
    return remote.ask(replyTo -> new InferenceWorker.Detect(List.of(frame.bytes()), options, replyTo))
        .thenApply(reply -> reply instanceof InferenceWorker.Detected d
            ? new InferenceWorker.Detected(d.results().stream().map(frame::toSource).toList())
            : reply);
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) e = e.getCause();
    return e;
  }
}
