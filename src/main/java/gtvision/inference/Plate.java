package gtvision.inference;

/** A licence plate read: normalised text (uppercase, no separators) that matched a pattern. */
public record Plate(String text, double confidence) {}
