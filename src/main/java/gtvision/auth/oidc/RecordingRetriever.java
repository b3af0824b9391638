package gtvision.auth.oidc;

import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URL;

/**
 * Fetches the key set and remembers whether the last fetch failed. nimbus keeps serving the keys it has
 * while the provider is down (outage tolerance), so a token whose key is not among them would look like
 * one with an unknown key; with this the verifier can say the provider is unreachable instead (503, not 401).
 */
final class RecordingRetriever implements ResourceRetriever {
  private final ResourceRetriever delegate;
  private volatile IOException lastFailure;

  RecordingRetriever(ResourceRetriever delegate) {
    this.delegate = delegate;
  }

  @Override
  public Resource retrieveResource(URL url) throws IOException {
    try {
      Resource resource = delegate.retrieveResource(url);
      lastFailure = null;
      return resource;
    } catch (IOException e) {
      lastFailure = e;
      throw e;
    }
  }

  /** The failure of the latest fetch; null when it succeeded (or none was made yet). */
  IOException lastFailure() {
    return lastFailure;
  }
}
