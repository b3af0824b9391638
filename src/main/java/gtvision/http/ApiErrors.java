package gtvision.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import gtvision.SourceUrls;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.ValidationRejection;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every rejection and failure into a JSON error; no stack trace ever reaches a client. */
public final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  // Errors are built where no actor system is at hand (static rejection handlers), and their body is two
  // strings: Jackson's streaming writer suffices, the node's mapper (Json) is not needed for them.
  private static final JsonFactory JSON = new JsonFactory();

  public static HttpResponse response(StatusCode status, ApiError error) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(body)) {
      g.writeStartObject();
      g.writeStringField("error", error.error());
      if (error.field() != null) g.writeStringField("field", error.field());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toByteArray()));
  }

  public static HttpResponse badRequest(String field, String message) {
    return response(StatusCodes.BAD_REQUEST, new ApiError(message, field));
  }

  public static RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handle(MalformedRequestContentRejection.class, r -> complete(malformed(r.getCause())))
        .handle(ValidationRejection.class, r -> complete(badRequest(null, r.message())))
        .handle(MalformedQueryParamRejection.class,
            r -> complete(badRequest(r.parameterName(), "invalid value for query parameter " + r.parameterName())))
        .handleNotFound(complete(response(StatusCodes.NOT_FOUND, ApiError.of("no such resource"))))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(ApiErrors::asJson);
  }

  public static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> complete(failure(e)))
        .build();
  }

  static HttpResponse failure(Throwable thrown) {
    Throwable e = unwrap(thrown);
    if (e instanceof EntityStreamSizeException size) return tooLarge(size);
    if (e instanceof TimeoutException) {
      return response(StatusCodes.SERVICE_UNAVAILABLE, ApiError.of("the service did not answer in time, retry"));
    }
    if (e instanceof gtvision.persistence.Database.DatabaseException) {
      log.warn("Database unavailable: {}", e.getMessage());
      return response(StatusCodes.SERVICE_UNAVAILABLE, ApiError.of("database unavailable, retry"));
    }
    log.error("Unhandled error in a request", e);
    return response(StatusCodes.INTERNAL_SERVER_ERROR, ApiError.of("internal error"));
  }

  private static HttpResponse malformed(Throwable cause) {
    Throwable e = jsonCause(unwrap(cause));
    if (e instanceof EntityStreamSizeException size) return tooLarge(size);
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      String field =
          mapping.getPath().stream()
              .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      return badRequest(field, "invalid value for " + field + ": " + SourceUrls.mask(mapping.getOriginalMessage()));
    }
    if (e instanceof JsonProcessingException json) {
      return badRequest("body", "malformed JSON: " + SourceUrls.mask(json.getOriginalMessage()));
    }
    return badRequest("body", "malformed request body");
  }

  private static HttpResponse tooLarge(EntityStreamSizeException e) {
    return response(
        StatusCodes.PAYLOAD_TOO_LARGE, new ApiError("request body is larger than " + e.limit() + " bytes", "body"));
  }

  // Default rejections answer text/plain; keep their status, wrap their text as JSON.
  private static HttpResponse asJson(HttpResponse response) {
    HttpEntity entity = response.entity();
    if (entity.getContentType().equals(ContentTypes.APPLICATION_JSON)) return response;
    String text = entity instanceof HttpEntity.Strict strict ? strict.getData().utf8String() : response.status().reason();
    return response(response.status(), ApiError.of(text));
  }

  // The JSON unmarshaller wraps Jackson's exception; the field path lives on Jackson's.
  private static Throwable jsonCause(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof JsonProcessingException) return t;
    }
    return e;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable current = e;
    while ((current instanceof CompletionException || current instanceof ExecutionException) && current.getCause() != null) {
      current = current.getCause();
    }
    // Size limits surface wrapped inside stream or unmarshalling failures.
    for (Throwable t = current; t != null; t = t.getCause()) {
      if (t instanceof EntityStreamSizeException) return t;
      if (t.getCause() == t) break;
    }
    return current;
  }
}
