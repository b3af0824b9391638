package gtvision.inference;

import gtvision.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a worker tells its subscribers (routers) whenever its state changes.
 *
 * @param capacity requests the router may have in flight at this worker (its detector's {@link
 *     Detector#capacity()}); 0 unless READY
 */
public record WorkerStatus(
    ActorRef<InferenceWorker.Command> worker, String provider, State state, String detail, int capacity)
    implements CborSerializable {

  public enum State {
    /** Model or client being created. */
    LOADING,
    READY,
    /** Creation failed; detail says why and when the next attempt is. */
    FAILED
  }
}
