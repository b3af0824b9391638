package gtvision.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.testsupport.TestS3;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The S3 evidence store and the setup command against a real S3 API (S3Proxy). */
class S3EvidenceStoreTest {
  private static TestS3 s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = new TestS3();
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  private static EvidenceSettings settings(String bucket) {
    return EvidenceSettings.from(NodeConfig.load(s3.evidenceConfig(bucket)
        .withFallback(ConfigFactory.parseString("gtv.evidence.frames-prefix = \"evidence/frames\""))));
  }

  @Test
  void storesAndReadsFramesPathStyle() throws Exception {
    s3.createBucket("store-test");
    EvidenceSettings settings = settings("store-test");
    assertEquals("evidence/frames/", settings.framesPrefix(), "a prefix always ends with one slash");
    try (S3EvidenceStore store = new S3EvidenceStore(settings.s3())) {
      byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, (byte) 0xFF, (byte) 0xD9};
      String key = EvidenceStore.frameKey(settings.framesPrefix(), "cam-9", 7, Instant.parse("2026-11-24T23:59:59Z"));
      store.put(key, jpeg).toCompletableFuture().get();
      assertTrue(s3.exists("store-test", key), "the object is in the bucket under " + key);
      assertArrayEquals(jpeg, store.get(key).toCompletableFuture().get().orElseThrow());
      assertTrue(store.get("evidence/frames/cam-9/missing.jpg").toCompletableFuture().get().isEmpty());
    }
  }

  @Test
  void setupCreatesTheBucketAndDescribesItsLifecycleRules() {
    EvidenceSettings settings = settings("setup-test");
    List<LifecycleRule> rules = S3Setup.rules(settings);
    assertEquals(2, rules.size());
    assertEquals("evidence/frames/", rules.get(0).filter().prefix());
    assertEquals(7, rules.get(0).expiration().days());
    assertEquals("recordings/", rules.get(1).filter().prefix());
    assertEquals(30, rules.get(1).expiration().days());
    try (S3AsyncClient client = S3EvidenceStore.client(settings.s3())) {
      try {
        String outcome = S3Setup.apply(client, settings);
        assertTrue(outcome.startsWith("Created bucket setup-test"), outcome);
      } catch (CompletionException e) {
        // S3Proxy has no lifecycle support (501): S3SetupTest applies and reads back the rules on S3Mock.
        // Anything else is a failure.
        assertTrue(e.getCause() instanceof S3Exception s3e && s3e.statusCode() == 501,
            "unexpected failure " + e.getCause());
      }
      // The bucket was created before the rules were sent, and a second run finds it.
      client.headBucket(b -> b.bucket("setup-test")).join();
    }
  }
}
