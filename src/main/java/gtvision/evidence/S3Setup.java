package gtvision.evidence;

import gtvision.NodeConfig;
import java.util.List;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@code java -jar gtvision.jar setup-s3}: creates the evidence bucket when it is missing and applies
 * its lifecycle rules (frames expire after frames-days, recordings after recordings-days). Safe to run
 * again: the rules are replaced, not added.
 */
public final class S3Setup {
  private S3Setup() {}

  public static void main(String[] args) {
    EvidenceSettings settings = EvidenceSettings.from(NodeConfig.load());
    try (S3AsyncClient client = S3EvidenceStore.client(settings.s3())) {
      System.out.println(apply(client, settings));
    } catch (CompletionException e) {
      System.err.println("setup-s3 failed: " + (e.getCause() == null ? e : e.getCause()).getMessage());
      System.exit(1);
    }
  }

  /** The bucket's lifecycle rules for these settings. */
  public static List<LifecycleRule> rules(EvidenceSettings e) {
    return List.of(
        rule("gtv-frames", e.framesPrefix(), e.framesDays()),
        rule("gtv-recordings", e.recordingsPrefix(), e.recordingsDays()));
  }

  private static LifecycleRule rule(String id, String prefix, int days) {
    return LifecycleRule.builder()
        .id(id)
        .filter(LifecycleRuleFilter.builder().prefix(prefix).build())
        .status(ExpirationStatus.ENABLED)
        .expiration(LifecycleExpiration.builder().days(days).build())
        .build();
  }

  /** Creates the bucket if needed and puts the rules; answers a line saying what it did. */
  public static String apply(S3AsyncClient client, EvidenceSettings e) {
    String bucket = e.s3().bucket();
    boolean created = false;
    try {
      client.headBucket(b -> b.bucket(bucket)).join();
    } catch (CompletionException ex) {
      if (!(ex.getCause() instanceof NoSuchBucketException)
          && !(ex.getCause() instanceof S3Exception s3 && s3.statusCode() == 404)) {
        throw ex;
      }
      client.createBucket(b -> b.bucket(bucket)).join();
      created = true;
    }
    client.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
            .lifecycleConfiguration(BucketLifecycleConfiguration.builder().rules(rules(e)).build()))
        .join();
    return (created ? "Created bucket " : "Bucket ") + bucket + ": frames under '" + e.framesPrefix() + "' expire after "
        + e.framesDays() + " days, recordings under '" + e.recordingsPrefix() + "' after " + e.recordingsDays() + " days";
  }
}
