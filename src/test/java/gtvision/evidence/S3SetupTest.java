package gtvision.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.testsupport.S3MockServer;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * {@code setup-s3} against S3Mock, an S3 server that stores bucket lifecycle rules (S3Proxy answers 501,
 * see S3EvidenceStoreTest): the rules are read back through the SDK.
 */
class S3SetupTest {
  private static S3MockServer s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3MockServer();
  }

  @AfterAll
  static void stop() {
    if (s3 != null) s3.close();
  }

  private static EvidenceSettings settings(String bucket, Config extra) {
    return EvidenceSettings.from(NodeConfig.load(extra.withFallback(s3.evidenceConfig(bucket))));
  }

  /** The bucket's rules as read back from the server: "id prefix days status", by id. */
  private static List<String> rulesOnServer(S3AsyncClient client, String bucket) {
    return client.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).join().rules().stream()
        .sorted(Comparator.comparing(r -> r.id()))
        .map(r -> r.id() + " " + r.filter().prefix() + " " + r.expiration().days() + " " + r.statusAsString())
        .toList();
  }

  @Test
  void setupAppliesTheRetentionRulesToTheBucket() {
    EvidenceSettings settings = settings("retention-test", ConfigFactory.empty());
    try (S3AsyncClient client = S3EvidenceStore.client(settings.s3())) {
      String outcome = S3Setup.apply(client, settings);
      assertTrue(outcome.startsWith("Created bucket retention-test"), outcome);
      client.headBucket(b -> b.bucket("retention-test")).join();
      assertEquals(List.of("gtv-frames frames/ 7 Enabled", "gtv-recordings recordings/ 30 Enabled"),
          rulesOnServer(client, "retention-test"), "the default retention: frames 7 days, recordings 30 days");
    }
  }

  @Test
  void setupCanRunAgainAndReplacesTheRules() {
    EvidenceSettings first = settings("rerun-test", ConfigFactory.parseString(
        "gtv.evidence { frames-prefix = \"evidence/frames\", frames-days = 3, recordings-days = 60 }"));
    try (S3AsyncClient client = S3EvidenceStore.client(first.s3())) {
      assertTrue(S3Setup.apply(client, first).startsWith("Created bucket rerun-test"));
      List<String> applied = List.of("gtv-frames evidence/frames/ 3 Enabled", "gtv-recordings recordings/ 60 Enabled");
      assertEquals(applied, rulesOnServer(client, "rerun-test"));

      String again = S3Setup.apply(client, first);
      assertTrue(again.startsWith("Bucket rerun-test:"), "the second run finds the bucket: " + again);
      assertEquals(applied, rulesOnServer(client, "rerun-test"), "the same two rules, not four");

      EvidenceSettings changed = settings("rerun-test", ConfigFactory.parseString(
          "gtv.evidence { frames-days = 14, recordings-days = 90 }"));
      S3Setup.apply(client, changed);
      assertEquals(List.of("gtv-frames frames/ 14 Enabled", "gtv-recordings recordings/ 90 Enabled"),
          rulesOnServer(client, "rerun-test"), "changed settings replace the earlier rules");
    }
  }
}
