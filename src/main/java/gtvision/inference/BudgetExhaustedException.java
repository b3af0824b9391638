package gtvision.inference;

/** The AWS per-minute image budget is spent; AWS is not called until the next minute. */
public final class BudgetExhaustedException extends RuntimeException {
  public BudgetExhaustedException(String message) {
    super(message);
  }
}
