package gtvision.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.Marshaller;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * The node's JSON: one mapper for the API, the live feed and Kafka, made once per actor system by Pekko's
 * {@link JacksonObjectMapperProvider} from {@code pekko.serialization.jackson.gtv-json} (serialization.conf):
 * ISO-8601 times, unknown fields and trailing tokens rejected (a typo must not pass silently).
 */
public final class Json {
  /** The name of the mapper's configuration under {@code pekko.serialization.jackson}. */
  public static final String BINDING = "gtv-json";

  private final ObjectMapper mapper;

  private Json(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The node's mapper; cheap to call, the provider keeps one per system. */
  public static Json get(ActorSystem<?> system) {
    return new Json(JacksonObjectMapperProvider.get(system).getOrCreate(BINDING, Optional.empty()));
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public <T> Marshaller<T, RequestEntity> marshaller() {
    return Jackson.marshaller(mapper);
  }

  public <T> Unmarshaller<HttpEntity, T> unmarshaller(Class<T> type) {
    return Jackson.unmarshaller(mapper, type);
  }
}
