package gtvision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's page and assets, and the API's description, load without a credential; nothing else became open with them. */
class AccessPolicyDashboardTest {

  private static AccessPolicy.Rule rule(String method, String path) {
    List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    return AccessPolicy.rule(method, segments);
  }

  @Test
  void theDashboardsPageAndAssetsAreOpenAndUnlimited() {
    for (String path : List.of("/", "/index.html", "/assets/app.js", "/assets/app.css", "/assets/sub/x.js")) {
      for (String method : List.of("GET", "HEAD")) {
        AccessPolicy.Rule rule = rule(method, path);
        assertInstanceOf(AccessPolicy.Open.class, rule.access(), method + " " + path);
        assertEquals(AccessPolicy.RateClass.NONE, rule.rateClass(), method + " " + path);
      }
    }
  }

  @Test
  void writesToTheDashboardsPathsStillNeedAnAdmin() {
    for (String path : List.of("/", "/index.html", "/assets/app.js")) {
      for (String method : List.of("POST", "PUT", "DELETE")) {
        assertEquals(new AccessPolicy.Requires(Role.ADMIN), rule(method, path).access(), method + " " + path);
      }
    }
  }

  @Test
  void pathsBesideTheDashboardStayClosed() {
    for (String path : List.of("/assets", "/index.htm", "/other.html", "/api", "/api/cameras", "/api/assets/x",
        "/api/cameras/x/assets/app.js", "/webjars/x.js", "/index.html/x")) {
      assertEquals(new AccessPolicy.Requires(Role.VIEWER), rule("GET", path).access(), path);
    }
  }

  @Test
  void theApiDescriptionAndSwaggerUiAreOpenToReadOnly() {
    for (String path : List.of("/api/openapi.json", "/api/docs", "/api/docs/5.35.0/swagger-ui-bundle.js", "/api/docs/init.js")) {
      AccessPolicy.Rule rule = rule("GET", path);
      assertInstanceOf(AccessPolicy.Open.class, rule.access(), path);
      assertEquals(AccessPolicy.RateClass.NONE, rule.rateClass(), path);
      assertEquals(new AccessPolicy.Requires(Role.ADMIN), rule("POST", path).access(), "POST " + path);
    }
    for (String path : List.of("/api/openapi.yaml", "/api/openapi.json/x", "/docs", "/api/cameras/docs", "/openapi.json")) {
      assertEquals(new AccessPolicy.Requires(Role.VIEWER), rule("GET", path).access(), path);
    }
  }

  @Test
  void theNewestFrameOfACameraIsForViewersInItsOwnRateClass() {
    AccessPolicy.Rule rule = rule("GET", "/api/cameras/cam-1/frame/latest");
    assertEquals(new AccessPolicy.Requires(Role.VIEWER), rule.access());
    assertEquals(AccessPolicy.RateClass.FRAMES, rule.rateClass());
    assertEquals(new AccessPolicy.Requires(Role.ADMIN), rule("POST", "/api/cameras/cam-1/frame/latest").access());
    assertEquals(AccessPolicy.RateClass.API, rule("GET", "/api/cameras/cam-1").rateClass());
  }
}
