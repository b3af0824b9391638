package gtvision.inference;

import io.micrometer.core.instrument.DistributionSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
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
 */
final class WireProxy {
  private WireProxy() {}

  private enum WorkerGone implements InferenceWorker.Command {
    INSTANCE
  }

  static Behavior<InferenceWorker.Command> create(
      ActorRef<InferenceWorker.Command> worker, FrameWire.Settings settings, Executor executor, DistributionSummary wireBytes) {
    return Behaviors.setup(ctx -> {
      ctx.watchWith(worker, WorkerGone.INSTANCE);
      Scheduler scheduler = ctx.getSystem().scheduler();
      return Behaviors.receive(InferenceWorker.Command.class)
          .onMessage(InferenceWorker.Detect.class, m -> {
            forward(m, worker, settings, executor, wireBytes, scheduler);
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

  private static void forward(
      InferenceWorker.Detect m, ActorRef<InferenceWorker.Command> worker, FrameWire.Settings settings, Executor executor,
      DistributionSummary wireBytes, Scheduler scheduler) {
    int side = settings.side(m.options());
    List<CompletableFuture<InferenceWorker.Reply>> parts = new ArrayList<>();
    for (byte[] image : m.images()) {
      parts.add(CompletableFuture
          .supplyAsync(() -> WireFrame.of(image, side, settings.jpegQuality(), settings.passThroughBytes(),
              settings.maxFrameBytes(), settings.maxPixels()), executor)
          .thenCompose(frame -> {
            wireBytes.record(frame.bytes().length);
            return AskPattern.<InferenceWorker.Command, InferenceWorker.Reply>ask(
                    worker, replyTo -> new InferenceWorker.Detect(List.of(frame.bytes()), m.options(), replyTo),
                    settings.timeout(), scheduler)
                .thenApply(reply -> reply instanceof InferenceWorker.Detected d
                    ? new InferenceWorker.Detected(d.results().stream().map(frame::toSource).toList())
                    : reply);
          }));
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

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) e = e.getCause();
    return e;
  }
}
