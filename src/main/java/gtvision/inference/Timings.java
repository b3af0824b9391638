package gtvision.inference;

/**
 * Where the time of one frame went, in milliseconds. {@code queueMs} is the wait for a batch to
 * fill; for remote providers (AWS) {@code inferenceMs} is the round trip of the API calls.
 */
public record Timings(double preprocessMs, double queueMs, double inferenceMs, double postprocessMs) {

  public double totalMs() {
    return preprocessMs + queueMs + inferenceMs + postprocessMs;
  }
}
