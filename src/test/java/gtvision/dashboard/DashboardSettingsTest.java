package gtvision.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DashboardSettingsTest {

  private static DashboardSettings settings(String conf) {
    return DashboardSettings.from(ConfigFactory.parseString(conf).withFallback(ConfigFactory.parseResources("dashboard.conf")).resolve());
  }

  @Test
  void withoutMediaMtxThePolicyNamesNoOtherOrigin() {
    DashboardSettings s = settings("");
    assertEquals(Optional.empty(), s.mediaMtx());
    String csp = DashboardRoutes.contentSecurityPolicy(s);
    assertTrue(csp.contains("connect-src 'self' ws: wss:; media-src 'self' blob:;"), csp);
  }

  @Test
  void webRtcDefaultsToTheHlsUrlAndTrailingSlashesGo() {
    DashboardSettings s = settings("gtv.dashboard.mediamtx-url = \"https://media.example.org:8888/\"");
    assertEquals(new DashboardSettings.MediaMtx("https://media.example.org:8888", "https://media.example.org:8888"), s.mediaMtx().orElseThrow());
    assertEquals(List.of("https://media.example.org:8888"), s.mediaMtx().orElseThrow().origins());
  }

  @Test
  void eachPortIsItsOwnOriginInThePolicy() {
    DashboardSettings s = settings("gtv.dashboard.mediamtx-url = \"https://media.example.org:8888\"\n"
        + "gtv.dashboard.mediamtx-webrtc-url = \"https://media.example.org:8889/live\"");
    assertEquals("https://media.example.org:8889/live", s.mediaMtx().orElseThrow().webRtc());
    String csp = DashboardRoutes.contentSecurityPolicy(s);
    assertTrue(csp.contains("connect-src 'self' ws: wss: https://media.example.org:8888 https://media.example.org:8889;"), csp);
    assertTrue(csp.contains("media-src 'self' blob: https://media.example.org:8888 https://media.example.org:8889;"), csp);
    assertTrue(csp.contains("script-src 'self';"), "no script from MediaMTX: " + csp);
  }

  @Test
  void aUrlThatIsNoHttpBaseIsRefusedWithTheSettingNamed() {
    for (String bad : List.of("media.example.org", "ftp://media.example.org", "https://u:p@media.example.org", "https://m.example.org/?a=1", "http://")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings("gtv.dashboard.mediamtx-url = \"" + bad + "\""), bad);
      assertTrue(e.getMessage().contains("gtv.dashboard.mediamtx-url"), e.getMessage());
    }
    IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
        () -> settings("gtv.dashboard.mediamtx-webrtc-url = \"https://media.example.org:8889\""));
    assertTrue(alone.getMessage().contains("gtv.dashboard.mediamtx-url is empty"), alone.getMessage());
  }

  @Test
  void inOidcModeTheProvidersOriginMayBeFetchedAndNothingElseIsAdded() {
    DashboardSettings s = settings("gtv.auth.mode = oidc\n"
        + "gtv.auth.oidc { issuer = \"https://sso.example.com:8443/realms/gtvision/\", dashboard-client-id = \" web \", dashboard-scopes = \"profile, email\" }");
    DashboardSettings.OidcSignIn oidc = s.oidc().orElseThrow();
    assertEquals(new DashboardSettings.OidcSignIn("https://sso.example.com:8443/realms/gtvision", "web", List.of("openid", "profile", "email")), oidc);
    String csp = DashboardRoutes.contentSecurityPolicy(s);
    assertTrue(csp.contains("connect-src 'self' ws: wss: https://sso.example.com:8443;"), csp);
    assertTrue(csp.contains("media-src 'self' blob:;"), "the provider plays nothing: " + csp);
    assertTrue(csp.contains("script-src 'self';"), "no script from the provider: " + csp);
  }

  @Test
  void outsideOidcModeNoProviderIsNamed() {
    DashboardSettings s = settings("gtv.auth.mode = builtin\ngtv.auth.oidc.issuer = \"https://sso.example.com/realms/x\"");
    assertEquals("builtin", s.authMode());
    assertEquals(Optional.empty(), s.oidc());
    assertTrue(!DashboardRoutes.contentSecurityPolicy(s).contains("sso.example.com"));
  }
}
