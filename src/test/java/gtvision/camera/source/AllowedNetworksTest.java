package gtvision.camera.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AllowedNetworksTest {
  @Test
  void theDefaultAllowsPrivateRangesAndLoopbackButNotPublicAddresses() throws Exception {
    AllowedNetworks defaults = AllowedNetworks.parse(AllowedNetworks.DEFAULT);
    for (String ok : new String[] {"10.1.2.3", "172.20.0.1", "192.168.1.10", "100.64.0.5", "127.0.0.1", "::1", "fd00::5"}) {
      assertTrue(defaults.allowsAddress(InetAddress.getByName(ok)), ok);
    }
    for (String no : new String[] {"8.8.8.8", "2001:db8::1", "100.128.0.1"}) {
      assertFalse(defaults.allowsAddress(InetAddress.getByName(no)), no);
    }
  }

  @Test
  void aDnsSuffixAllowsTheDomainAndNamesUnderItOnly() {
    AllowedNetworks list = AllowedNetworks.parse(" .cams.example.com , 10.0.0.0/8");
    assertEquals(1, list.networks().size());
    assertTrue(list.allowsName("gate1.cams.example.com"));
    assertTrue(list.allowsName("GATE1.Cams.Example.com."));
    assertTrue(list.allowsName("cams.example.com"));
    assertFalse(list.allowsName("evilcams.example.com"));
    assertFalse(list.allowsName("cams.example.com.evil.net"));
  }

  @Test
  void aBadEntryNamesTheSettingAndTheEntry() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AllowedNetworks.parse("10.0.0.0/8,cams"));
    assertTrue(e.getMessage().contains("gtv.camera.allowed-networks"), e.getMessage());
    assertTrue(e.getMessage().contains("cams"), e.getMessage());
  }
}
