package gtvision.inference;

/** A budget of the AWS cost guard (images per minute, USD per day or month) is spent; AWS is not called. */
public final class BudgetExhaustedException extends RuntimeException {
  public BudgetExhaustedException(String message) {
    super(message);
  }
}
