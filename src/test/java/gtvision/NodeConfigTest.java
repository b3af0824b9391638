package gtvision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.persistence.DatabaseSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  @Test
  void embeddedDefaultsUseH2UnderTheDataDirAndPekkoDefaultPorts() {
    var config = NodeConfig.load(ConfigFactory.parseString("gtv.data-dir = \"/tmp/gtv-x\""));
    assertEquals("jdbc:h2:file:/tmp/gtv-x/gtvision", config.getString("pekko-persistence-jdbc.shared-databases.slick.db.url"));
    assertEquals("slick.jdbc.H2Profile$", config.getString("pekko-persistence-jdbc.shared-databases.slick.profile"));
    assertEquals("h2-dialect", config.getString("pekko.projection.jdbc.dialect"));
    assertEquals(8080, config.getInt("gtv.http.port"));
    assertEquals(7626, config.getInt("pekko.management.http.port"));
    assertEquals(7355, config.getInt("pekko.remote.artery.canonical.port"));
  }

  @Test
  void postgresGetsItsDriverProfileAndBatchedInserts() {
    var config = NodeConfig.load(ConfigFactory.parseString(
        "gtv.db { kind = postgres, url = \"jdbc:postgresql://db:5432/gtv\", user = app, password = secret }"));
    assertEquals("jdbc:postgresql://db:5432/gtv?reWriteBatchedInserts=true",
        config.getString("pekko-persistence-jdbc.shared-databases.slick.db.url"));
    assertEquals("org.postgresql.Driver", config.getString("pekko-persistence-jdbc.shared-databases.slick.db.driver"));
    assertEquals("postgres-dialect", config.getString("pekko.projection.jdbc.dialect"));
    assertTrue(!DatabaseSettings.from(config).toString().contains("secret"), "the password is never printed");
  }

  @Test
  void anUnknownDatabaseKindIsAClearStartupError() {
    var error = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(ConfigFactory.parseString("gtv.db.kind = mysql")));
    assertTrue(error.getMessage().contains("GTV_DB"), error.getMessage());
  }

  @Test
  void commaSeparatedRolesAndSeedNodesBecomeLists() {
    var config = NodeConfig.load(ConfigFactory.parseString(
        "gtv.cluster { roles = \"gpu, aws\", seed-nodes = \"pekko://gtvision@10.0.0.1:7355,pekko://gtvision@10.0.0.2:7355\" }"));
    assertEquals(List.of("gpu", "aws"), config.getStringList("pekko.cluster.roles"));
    assertEquals(2, config.getStringList("pekko.cluster.seed-nodes").size());
  }

  @Test
  void theSplitBrainResolverAndAFixedShardCountAreConfigured() {
    var config = NodeConfig.load();
    assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider", config.getString("pekko.cluster.downing-provider-class"));
    assertEquals(100, config.getInt("pekko.cluster.sharding.number-of-shards"));
    assertEquals("kubernetes-api", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
  }
}
