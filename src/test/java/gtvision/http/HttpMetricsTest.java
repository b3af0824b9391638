package gtvision.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HttpMetricsTest {
  @Test
  void idsInPathsBecomePlaceholdersSoLabelsStayFew() {
    assertEquals("/api/cameras", HttpMetrics.template("/api/cameras"));
    assertEquals("/api/cameras/{id}", HttpMetrics.template("/api/cameras/cam-17"));
    assertEquals("/api/cameras/{id}/enable", HttpMetrics.template("/api/cameras/cam-17/enable"));
    assertEquals("/health", HttpMetrics.template("//health"));
    assertEquals("/", HttpMetrics.template("/"));
  }
}
