package gtvision.evidence;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Evidence in an S3 bucket (AWS or MinIO) through the SDK's non-blocking client. */
public final class S3EvidenceStore implements EvidenceStore, AutoCloseable {
  private final S3AsyncClient client;
  private final String bucket;

  public S3EvidenceStore(EvidenceSettings.S3 settings) {
    this(client(settings), settings.bucket());
  }

  S3EvidenceStore(S3AsyncClient client, String bucket) {
    this.client = client;
    this.bucket = bucket;
  }

  /** The client every S3 use of the node shares the settings of (store and setup command). */
  public static S3AsyncClient client(EvidenceSettings.S3 s) {
    AwsCredentialsProvider credentials = s.accessKeyId().isEmpty()
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey()));
    var builder = S3AsyncClient.builder()
        .region(Region.of(s.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(s.pathStyle())
        // S3-compatible servers (MinIO, older gateways) do not all accept the newer default checksums.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (!s.endpoint().isEmpty()) builder.endpointOverride(URI.create(s.endpoint()));
    return builder.build();
  }

  @Override
  public CompletionStage<Done> put(String key, byte[] jpeg) {
    return client
        .putObject(b -> b.bucket(bucket).key(key).contentType("image/jpeg").contentLength((long) jpeg.length),
            AsyncRequestBody.fromBytes(jpeg))
        .thenApply(response -> Done.getInstance());
  }

  @Override
  public CompletionStage<Optional<byte[]>> get(String key) {
    if (!EvidenceStore.validKey(key)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("not an evidence key: " + key));
    }
    return client
        .getObject(b -> b.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
        .handle((bytes, error) -> {
          if (error == null) return Optional.of(bytes.asByteArray());
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          if (cause instanceof NoSuchKeyException) return Optional.<byte[]>empty();
          throw new CompletionException(cause);
        });
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "s3 bucket " + bucket;
  }
}
