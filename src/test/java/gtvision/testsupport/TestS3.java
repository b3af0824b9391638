package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/** A real S3 REST server in the JVM: S3Proxy over jclouds' in-memory blob store, with SigV4 auth. */
public final class TestS3 implements AutoCloseable {
  public static final String ACCESS_KEY = "gtv-test-access";
  public static final String SECRET_KEY = "gtv-test-secret";
  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final int port;

  public TestS3() throws Exception {
    port = TestNodes.freePort();
    context = ContextBuilder.newBuilder("transient")
        .credentials("identity", "credential")
        .overrides(new Properties())
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      Thread.sleep(20);
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Node settings that put evidence in {@code bucket} on this server. */
  public Config evidenceConfig(String bucket) {
    return evidenceConfig(endpoint(), bucket, ACCESS_KEY, SECRET_KEY);
  }

  /** Node settings that put evidence in {@code bucket} on the S3 server at {@code endpoint}. */
  static Config evidenceConfig(String endpoint, String bucket, String accessKey, String secretKey) {
    return ConfigFactory.parseString(String.join("\n",
        "gtv.evidence.store = s3",
        "gtv.evidence.s3.endpoint = \"" + endpoint + "\"",
        "gtv.evidence.s3.bucket = \"" + bucket + "\"",
        "gtv.evidence.s3.access-key-id = \"" + accessKey + "\"",
        "gtv.evidence.s3.secret-access-key = \"" + secretKey + "\""));
  }

  public void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  public boolean exists(String bucket, String key) {
    return context.getBlobStore().blobExists(bucket, key);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
