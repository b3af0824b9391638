package gtvision.inference;

import org.apache.pekko.actor.typed.ActorRef;

/** What a worker tells its subscribers (routers) whenever its state changes. */
public record WorkerStatus(ActorRef<InferenceWorker.Command> worker, String provider, State state, String detail)
    implements gtvision.CborSerializable {

  public enum State {
    /** Model or client being created. */
    LOADING,
    READY,
    /** Creation failed; detail says why and when the next attempt is. */
    FAILED
  }
}
