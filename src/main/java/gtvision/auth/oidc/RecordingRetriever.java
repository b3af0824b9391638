package gtvision.auth.oidc;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URL;
import java.util.function.Consumer;

/**
 * Fetches the key set and remembers whether the last fetch failed. nimbus keeps serving the keys it has
 * while the provider is down (outage tolerance), so a token whose key is not among them would look like
 * one with an unknown key; with this the verifier can say the provider is unreachable instead (503, not 401).
 */
final class RecordingRetriever implements ResourceRetriever {
  private final ResourceRetriever delegate;
  private final Consumer<IOException> outcome;
  private volatile IOException lastFailure;

  /** {@code outcome} hears of every fetch: null when it succeeded, else its failure. */
  RecordingRetriever(ResourceRetriever delegate, Consumer<IOException> outcome) {
    this.delegate = delegate;
    this.outcome = outcome;
  }

  @Override
  public Resource retrieveResource(URL url) throws IOException {
    try {
      Resource resource = delegate.retrieveResource(url);
      lastFailure = null;
      outcome.accept(null);
      return resource;
    } catch (IOException e) {
      lastFailure = e;
      outcome.accept(e);
      throw e;
    }
  }

  /** The failure of the latest fetch; null when it succeeded (or none was made yet). */
  IOException lastFailure() {
    return lastFailure;
  }
}
